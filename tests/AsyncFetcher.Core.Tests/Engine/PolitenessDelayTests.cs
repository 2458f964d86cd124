using System.Collections.Concurrent;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>
/// The engine takes its time from the injected <see cref="TimeProvider"/>, so a crawl with a
/// 10-second politeness delay is tested on a fake clock in milliseconds. The delay must hold as the
/// server sees it: these servers note when each request reached them and when they answered it, on
/// the same clock, and take time over each answer, as a busy server does.
/// </summary>
public sealed class PolitenessDelayTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(10);

    /// <summary>How long the server takes over each answer, on the fake clock.</summary>
    private static readonly TimeSpan Think = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Delay_counts_robots_txt_and_runs_from_each_answer()
    {
        var clock = new WatchedClock();
        var served = new ConcurrentQueue<Served>();
        await using var site = await LocalSite.StartAsync();
        Serve(site, clock, served, "/robots.txt", "User-agent: *\nAllow: /\n", "text/plain");
        Serve(site, clock, served, "/", LocalSite.Html("home", "<a href=\"/a\"></a><a href=\"/b\"></a>"), "text/html");
        Serve(site, clock, served, "/a", LocalSite.Html("a", ""), "text/html");
        Serve(site, clock, served, "/b", LocalSite.Html("b", ""), "text/html");
        var options = Options(retries: 0);
        options.Robots = true;
        options.Depth = 5;

        var (results, _) = await EngineHarness.CrawlAsync(options, clock, site.Url("/"));

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        var log = served.OrderBy(s => s.Arrived).ToList();
        Assert.Equal(["/robots.txt", "/"], log.Take(2).Select(s => s.Path));
        Assert.Equal(4, log.Count);
        // Each request reached the server at least the delay after it began the previous answer: the
        // first page after robots.txt too, and not merely the delay after the previous request arrived.
        Assert.All(log.Zip(log.Skip(1)), pair => Assert.True(
            pair.Second.Arrived - pair.First.Answered >= Delay,
            $"{pair.Second.Path} arrived {(pair.Second.Arrived - pair.First.Answered).TotalSeconds} s after {pair.First.Path} was answered"));
    }

    [Fact]
    public async Task A_retry_waits_the_delay_after_the_answer_it_retries()
    {
        var clock = new WatchedClock();
        var served = new ConcurrentQueue<Served>();
        await using var site = await LocalSite.StartAsync();
        site.Map("/", async context =>
        {
            var arrived = clock.GetUtcNow();
            await Task.Delay(Think, clock);
            var first = served.IsEmpty;
            served.Enqueue(new Served("/", arrived, clock.GetUtcNow()));
            context.Response.StatusCode = first ? 503 : 200;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(LocalSite.Html("home", ""));
        });

        var (results, waits) = await EngineHarness.CrawlAsync(Options(retries: 1), clock, site.Url("/"));

        var result = Assert.Single(results);
        Assert.Equal(200, result.Status);
        Assert.Equal(2, result.Attempts);
        var log = served.ToList();
        Assert.Equal(2, log.Count);
        // The retry's backoff (1 s) is shorter than the delay: the delay wins.
        Assert.True(log[1].Arrived - log[0].Answered >= Delay, $"the retry arrived {(log[1].Arrived - log[0].Answered).TotalSeconds} s after the 503; waits {string.Join(", ", waits)}");
    }

    /// <summary>A crawl whose only waits are the ones under test: no attempt timeout or minimum rate fires as the clock moves.</summary>
    private static CrawlOptions Options(int retries)
    {
        var options = EngineHarness.Resilient(retries, retryDelay: TimeSpan.FromSeconds(1));
        options.Delay = Delay;
        return options;
    }

    /// <summary>Serves <paramref name="body"/> at <paramref name="path"/> after <see cref="Think"/>, noting when the request arrived and when it was answered.</summary>
    private static void Serve(LocalSite site, TimeProvider clock, ConcurrentQueue<Served> served, string path, string body, string contentType) =>
        site.Map(path, async context =>
        {
            var arrived = clock.GetUtcNow();
            await Task.Delay(Think, clock);
            served.Enqueue(new Served(path, arrived, clock.GetUtcNow()));
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body);
        });

    private sealed record Served(string Path, DateTimeOffset Arrived, DateTimeOffset Answered);
}
