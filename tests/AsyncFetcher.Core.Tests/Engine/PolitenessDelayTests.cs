using System.Collections.Concurrent;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>
/// The engine takes its time from the injected <see cref="TimeProvider"/>, so a crawl with a
/// 10-second politeness delay is tested on a fake clock (<see cref="WatchedClock"/>) in milliseconds.
/// </summary>
public sealed class PolitenessDelayTests
{
    [Fact]
    public async Task Delay_spaces_requests_to_a_host_by_the_injected_clock()
    {
        var clock = new WatchedClock();
        var arrivals = new ConcurrentQueue<(string Path, DateTimeOffset At)>();
        using var arrived = new SemaphoreSlim(0);
        await using var site = await LocalSite.StartAsync();
        foreach (var path in new[] { "/", "/a", "/b", "/c" })
        {
            var page = path;
            var links = page == "/" ? "<a href=\"/a\"></a><a href=\"/b\"></a><a href=\"/c\"></a>" : "";
            site.Map(page, async context =>
            {
                arrivals.Enqueue((page, clock.GetUtcNow()));
                arrived.Release();
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(LocalSite.Html(page, links));
            });
        }
        var options = EngineHarness.Fast();
        options.Delay = TimeSpan.FromSeconds(10);
        options.Timeout = TimeSpan.FromMinutes(5);
        options.Robots = false;
        await using var provider = EngineHarness.Build(options, clock);
        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);

        // Each time a page has reached the server (and read the clock), and the engine has started waiting
        // for the host's interval, move the clock one delay on: the next page may go then. Waiting on both
        // keeps the advance from overtaking either, however slowly the machine runs.
        for (var page = 0; page < 4; page++)
        {
            Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(60)), $"page {page + 1} never arrived");
            if (page < 3)
            {
                Assert.Equal(options.Delay, await clock.NextTimerAsync(due => due > TimeSpan.Zero && due <= options.Delay));
                clock.Advance(options.Delay);
            }
        }
        var results = await crawl.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4, results.Count);
        var times = arrivals.Select(a => a.At).ToList();
        Assert.Equal(4, times.Count);
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= options.Delay, $"{pair.First:T} then {pair.Second:T}"));
    }
}
