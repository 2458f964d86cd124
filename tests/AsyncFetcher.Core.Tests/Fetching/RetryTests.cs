using System.Globalization;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;
using static AsyncFetcher.Testing.Scripted;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>
/// Retries through the one resilience pipeline, timed by an injected fake clock: these tests never wait
/// for real. The server's answers are scripted in order (WireMock.Net scenarios): fail first, then serve.
/// </summary>
public sealed class RetryTests
{
    [Fact]
    public async Task A_503_twice_then_200_is_one_record_with_three_attempts_and_backoff_on_the_injected_clock()
    {
        using var server = Start();
        server.Given(Get("/")).InScenario("flaky").WillSetStateTo("up", 2).RespondWith(Status(503));
        server.Given(Get("/")).InScenario("flaky").WhenStateIs("up").RespondWith(Page("finally"));
        var clock = new WatchedClock();

        var (results, waits) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 3, retryDelay: TimeSpan.FromSeconds(1)), clock, server.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Equal(3, record.Attempts);
        Assert.Equal(["503", "503"], record.Retries);
        Assert.Null(record.Error);
        Assert.Equal("finally", record.Title);
        Assert.Equal(3, server.Requests("/"));
        Assert.Equal(2, waits.Count);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10)));
        // No real time passed: the record's elapsed time is exactly the backoff the fake clock advanced.
        Assert.Equal((long)(waits[0] + waits[1]).TotalMilliseconds, record.ElapsedMs);
    }

    [Theory]
    [InlineData(408, 3)]
    [InlineData(429, 3)]
    [InlineData(500, 3)]
    [InlineData(502, 3)]
    [InlineData(503, 3)]
    [InlineData(504, 3)]
    [InlineData(400, 1)]
    [InlineData(403, 1)]
    [InlineData(404, 1)]
    [InlineData(410, 1)]
    [InlineData(501, 1)]
    [InlineData(505, 1)]
    public async Task Only_408_429_500_502_503_504_are_retried_up_to_retries(int status, int attempts)
    {
        using var server = Start();
        server.Given(Get("/")).RespondWith(Status(status));

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), server.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(status, record.Status);
        Assert.Equal(attempts, record.Attempts);
        Assert.Equal(attempts, server.Requests("/"));
    }

    [Fact]
    public async Task Retries_zero_sends_one_request()
    {
        using var server = Start();
        server.Given(Get("/")).RespondWith(Status(503));

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.FromSeconds(1)), new WatchedClock(), server.Url("/"));

        Assert.Equal(1, Assert.Single(results).Attempts);
        Assert.Equal(1, server.Requests("/"));
    }

    [Fact]
    public async Task Exponential_backoff_with_jitter_grows_and_varies()
    {
        using var server = Start();
        server.Given(Get("/")).InScenario("down").WillSetStateTo("up", 5).RespondWith(Status(503));
        server.Given(Get("/")).InScenario("down").WhenStateIs("up").RespondWith(Page("ok"));

        var (results, waits) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 5, retryDelay: TimeSpan.FromSeconds(1)), new WatchedClock(), server.Url("/"));

        Assert.Equal(6, Assert.Single(results).Attempts);
        Assert.Equal(5, waits.Count);
        // Jitter: the waits are not a fixed ladder. Exponential: Polly's decorrelated jitter keeps the
        // sum of waits 4 and 5 at least twice the sum of waits 1 and 2, whatever the random draw.
        Assert.True(waits.Distinct().Count() > 1, string.Join(", ", waits));
        Assert.True((waits[3] + waits[4]).Ticks > 1.5 * (waits[0] + waits[1]).Ticks, string.Join(", ", waits));
    }

    [Fact]
    public async Task Retry_after_seconds_is_honoured_on_the_injected_clock()
    {
        using var server = Start();
        server.Given(Get("/")).InScenario("busy").WillSetStateTo("free").RespondWith(Status(429).WithHeader("Retry-After", "7"));
        server.Given(Get("/")).InScenario("busy").WhenStateIs("free").RespondWith(Page("after"));

        var (results, waits) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 3, retryDelay: TimeSpan.FromSeconds(1)), new WatchedClock(), server.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Equal(2, record.Attempts);
        Assert.Equal([TimeSpan.FromSeconds(7)], waits);
        Assert.Equal(7000, record.ElapsedMs);
    }

    [Fact]
    public async Task Retry_after_http_date_is_measured_against_the_injected_clock()
    {
        using var server = Start();
        var clock = new WatchedClock();
        var date = (clock.GetUtcNow() + TimeSpan.FromSeconds(12)).ToString("R", CultureInfo.InvariantCulture);
        server.Given(Get("/")).InScenario("busy").WillSetStateTo("free").RespondWith(Status(503).WithHeader("Retry-After", date));
        server.Given(Get("/")).InScenario("busy").WhenStateIs("free").RespondWith(Page("after"));

        var (results, waits) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 3, retryDelay: TimeSpan.FromSeconds(1)), clock, server.Url("/"));

        Assert.Equal(2, Assert.Single(results).Attempts);
        Assert.Equal([TimeSpan.FromSeconds(12)], waits);
    }

    [Fact]
    public async Task Retry_after_longer_than_the_cap_gives_up_at_once_and_says_why()
    {
        using var server = Start();
        server.Given(Get("/")).RespondWith(Status(429).WithHeader("Retry-After", "120"));
        var options = EngineHarness.Resilient(retries: 3, retryDelay: TimeSpan.FromSeconds(1));
        options.MaxRetryAfter = TimeSpan.FromSeconds(60);

        var (results, waits) = await EngineHarness.CrawlAsync(options, new WatchedClock(), server.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(429, record.Status);
        Assert.Equal(1, record.Attempts);
        Assert.Equal("retry-after 120s exceeds --max-retry-after (1m)", record.Error);
        Assert.Empty(waits);
    }

    [Fact]
    public async Task Retry_after_at_the_cap_is_waited_for()
    {
        using var server = Start();
        server.Given(Get("/")).InScenario("busy").WillSetStateTo("free").RespondWith(Status(503).WithHeader("Retry-After", "60"));
        server.Given(Get("/")).InScenario("busy").WhenStateIs("free").RespondWith(Page("after"));

        var (results, waits) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 1, retryDelay: TimeSpan.FromSeconds(1)), new WatchedClock(), server.Url("/"));

        Assert.Equal(200, Assert.Single(results).Status);
        Assert.Equal([TimeSpan.FromSeconds(60)], waits);
    }

    [Fact]
    public async Task A_connection_reset_is_a_transient_error_and_retried()
    {
        // Kestrel, not a script: WireMock.Net's faults answer 200 and close cleanly, which is no failure to a client.
        await using var site = await LocalSite.StartAsync();
        var calls = 0;
        site.Map("/", context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Abort();
                return Task.CompletedTask;
            }
            return Responses.Html(context, "back");
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), site.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Equal(2, record.Attempts);
    }

    [Fact]
    public async Task A_refused_connection_counts_every_attempt()
    {
        // A port with nothing listening: every attempt is refused, and each one is counted.
        int port;
        await using (var closed = await LocalSite.StartAsync())
        {
            port = closed.BaseUrl.Port;
        }
        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), new Uri($"http://127.0.0.1:{port}/"));

        var record = Assert.Single(results);
        Assert.Equal("connection refused", record.Error);
        Assert.Equal(3, record.Attempts);
    }

    [Fact]
    public async Task Each_attempt_times_out_on_the_injected_clock_and_the_total_budget_ends_the_url()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/", async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        var clock = new WatchedClock();
        var options = EngineHarness.Resilient(retries: 5, retryDelay: TimeSpan.Zero);
        options.Timeout = TimeSpan.FromSeconds(10);
        options.TotalTimeout = TimeSpan.FromSeconds(25);
        await using var provider = EngineHarness.Build(options, clock);

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        await site.WaitForRequestsAsync(1, TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(10));
        await site.WaitForRequestsAsync(2, TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(10));
        await site.WaitForRequestsAsync(3, TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(5));
        var results = await crawl;

        var record = Assert.Single(results);
        Assert.Equal("timeout", record.Error);
        Assert.Null(record.Status);
        Assert.Equal(3, record.Attempts);
        Assert.Equal(25_000, record.ElapsedMs);
    }

    [Fact]
    public async Task A_retried_record_says_why_each_retry_was_made()
    {
        await using var site = await LocalSite.StartAsync();
        var requests = 0;
        site.Map("/", async context =>
        {
            switch (Interlocked.Increment(ref requests))
            {
                case 1:
                    context.Response.StatusCode = 503;
                    break;
                case 2:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    break;
                default:
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync(LocalSite.Html("third time", ""));
                    break;
            }
        });
        var clock = new WatchedClock();
        var options = EngineHarness.Resilient(retries: 3, retryDelay: TimeSpan.Zero);
        options.Timeout = TimeSpan.FromSeconds(10);
        await using var provider = EngineHarness.Build(options, clock);

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        await site.WaitForRequestsAsync(2, TimeSpan.FromSeconds(60));
        clock.Advance(options.Timeout);
        var record = Assert.Single(await crawl.WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(200, record.Status);
        Assert.Equal(3, record.Attempts);
        Assert.Equal(["503", "timeout"], record.Retries);
    }

    [Fact]
    public void The_default_budget_covers_every_attempt_and_the_longest_retry_after()
    {
        var options = new CrawlOptions { Timeout = TimeSpan.FromSeconds(30), Retries = 3, RetryDelay = TimeSpan.FromSeconds(1), MaxRetryAfter = TimeSpan.FromSeconds(60) };

        Assert.Equal(TimeSpan.FromSeconds((30 * 4) + (3 * 60) + 1), AsyncFetcher.Core.Fetching.ResilienceSetup.TotalBudget(options));
        options.TotalTimeout = TimeSpan.FromSeconds(42);
        Assert.Equal(TimeSpan.FromSeconds(42), AsyncFetcher.Core.Fetching.ResilienceSetup.TotalBudget(options));
    }
}
