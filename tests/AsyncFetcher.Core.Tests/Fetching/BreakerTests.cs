using AsyncFetcher.Core.Engine;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>The per-host circuit breaker: a failing host is paused, its URLs wait rather than fail, and the openings are counted.</summary>
public sealed class BreakerTests
{
    [Fact]
    public async Task A_failing_host_is_paused_and_its_urls_wait_for_the_breaker_instead_of_failing()
    {
        await using var site = await LocalSite.StartAsync();
        var failing = true;
        site.Links("/", [.. Enumerable.Range(0, 10).Select(i => $"/p/{i}")]);
        site.Page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain");
        site.Fallback = context => Volatile.Read(ref failing) ? Responses.Status(context, 503) : Responses.Html(context, context.Request.Path);
        var clock = new WatchedClock();
        await using var provider = EngineHarness.Build(BreakerOptions(), clock);
        var engine = provider.GetRequiredService<CrawlEngine>();

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        // "/" succeeds, /p/0 and /p/1 fail: 2 failures in 4 attempts (robots.txt included) opens the
        // circuit. The next URL is refused without a request and the engine waits out the pause.
        var pause = await clock.NextTimerAsync(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(17));
        Assert.Equal(TimeSpan.FromSeconds(17), pause);
        Assert.Equal(3, site.Log.Count(p => p != "/robots.txt"));
        Volatile.Write(ref failing, false);
        clock.Advance(pause);
        var results = await crawl;

        Assert.Equal(11, results.Count);
        Assert.Equal(11, results.Select(r => r.Url).Distinct().Count());
        Assert.Equal(2, results.Count(r => r.Status == 503));
        Assert.Equal(9, results.Count(r => r.Status == 200 && r.Error is null));
        Assert.All(results, r => Assert.Equal(1, r.Attempts));
        // Every URL was requested once: the one refused by the open circuit was held, not burnt.
        Assert.Equal(11, site.Log.Count(p => p != "/robots.txt"));
        Assert.Equal(1, engine.Stats.BreakerOpenings);
        Assert.Equal(1, engine.Stats.BreakerOpeningsByHost[site.BaseUrl.GetLeftPart(UriPartial.Authority)]);
        Assert.True(engine.Stats.HeldByBreaker >= 1);
    }

    [Fact]
    public async Task A_host_that_never_recovers_still_ends_with_one_record_per_url()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", [.. Enumerable.Range(0, 10).Select(i => $"/p/{i}")]);
        site.Page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain");
        site.Fallback = context => Responses.Status(context, 503);
        var clock = new WatchedClock();
        await using var provider = EngineHarness.Build(BreakerOptions(), clock);
        var engine = provider.GetRequiredService<CrawlEngine>();

        var (results, waits) = await clock.PumpAsync(EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None));

        Assert.Equal(11, results.Count);
        Assert.Equal(10, results.Count(r => r.Status == 503));
        // Each pause ends with one probe, which fails and opens the circuit again.
        Assert.Equal(11, site.Log.Count(p => p != "/robots.txt"));
        Assert.Equal(9, engine.Stats.BreakerOpenings);
        // The crawl waited out each of the eight pauses that had a URL left to probe, and waited for nothing
        // else. Two URLs held in one pause may each start a timer for its end, so the count is not exact.
        Assert.True(waits.Count >= 8, $"{waits.Count} waits for 8 pauses");
        Assert.All(waits, w => Assert.Equal(TimeSpan.FromSeconds(17), w));
    }

    [Fact]
    public async Task Another_host_is_not_paused_by_a_failing_one()
    {
        await using var failing = await LocalSite.StartAsync();
        await using var healthy = await LocalSite.StartAsync();
        failing.Links("/", [.. Enumerable.Range(0, 10).Select(i => $"/p/{i}")]);
        failing.Page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain");
        failing.Fallback = context => Responses.Status(context, 503);
        healthy.Links("/", [.. Enumerable.Range(0, 10).Select(i => $"/p/{i}")]);
        healthy.Fallback = context => Responses.Html(context, "fine");
        var clock = new WatchedClock();
        var options = BreakerOptions();
        options.Max = 2;
        await using var provider = EngineHarness.Build(options, clock);

        var crawl = EngineHarness.CrawlAsync(provider, [failing.Url("/"), healthy.Url("/")], CancellationToken.None);
        // The clock has not moved, so the failing host's pause has not ended: the healthy one is crawled to the end meanwhile.
        await healthy.WaitForRequestsAsync(12, TimeSpan.FromSeconds(60));
        var (results, _) = await clock.PumpAsync(crawl);

        Assert.Equal(22, results.Count);
        Assert.All(results.Where(r => r.Url.StartsWith(healthy.BaseUrl.AbsoluteUri, StringComparison.Ordinal)), r => Assert.Equal(200, r.Status));
    }

    [Fact]
    public async Task A_url_whose_retry_meets_an_open_breaker_is_held_then_retried_and_succeeds()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", [.. Enumerable.Range(0, 10).Select(i => $"/p/{i}")]);
        site.Page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain");
        // Each page fails twice, then answers: a flaky host, where every page succeeds on its third try.
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        site.Fallback = context => calls.AddOrUpdate(context.Request.Path, 1, (_, n) => n + 1) <= 2 ? Responses.Status(context, 503) : Responses.Html(context, context.Request.Path);
        var clock = new WatchedClock();
        var options = BreakerOptions();
        options.Retries = 2;
        await using var provider = EngineHarness.Build(options, clock);
        var engine = provider.GetRequiredService<CrawlEngine>();

        var (results, _) = await clock.PumpAsync(EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None));

        Assert.Equal(11, results.Count);
        Assert.DoesNotContain(results, r => r.Error is not null);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        // Attempts are the requests the server saw for the URL, the ones before the pause included.
        Assert.All(results.Where(r => r.Url.Contains("/p/", StringComparison.Ordinal)), r => Assert.Equal(3, r.Attempts));
        Assert.All(calls, c => Assert.Equal(3, c.Value));
        Assert.True(engine.Stats.BreakerOpenings >= 1);
        Assert.True(engine.Stats.HeldByBreaker >= 1);
    }

    [Fact]
    public async Task A_url_out_of_time_while_held_keeps_the_last_real_error_not_circuit_open()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", [.. Enumerable.Range(0, 6).Select(i => $"/p/{i}")]);
        site.Page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain");
        site.Fallback = context => Responses.Status(context, 503);
        var clock = new WatchedClock();
        var options = BreakerOptions();
        options.Retries = 3;
        options.TotalTimeout = TimeSpan.FromSeconds(20);
        await using var provider = EngineHarness.Build(options, clock);

        var (results, _) = await clock.PumpAsync(EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None));

        Assert.Equal(7, results.Count);
        Assert.DoesNotContain(results, r => r.Error == "circuit open");
        var pages = results.Where(r => r.Url.Contains("/p/", StringComparison.Ordinal)).ToList();
        Assert.All(pages, r => Assert.Equal(503, r.Status));
        Assert.Equal(pages.Sum(r => r.Attempts), site.Log.Count(p => p.StartsWith("/p/", StringComparison.Ordinal)));
    }

    private static CrawlOptions BreakerOptions()
    {
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Max = 1;
        options.Depth = 1;
        options.Robots = true;
        options.BreakerFailureRatio = 0.5;
        options.BreakerMinimumThroughput = 4;
        options.BreakerDuration = TimeSpan.FromSeconds(17);
        // The breaker alone: the throttle would also slow a host that answers 503, with waits of its own.
        options.AutoThrottle = false;
        return options;
    }
}
