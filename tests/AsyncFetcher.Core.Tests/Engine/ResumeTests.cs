using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>Stopping and resuming in-process: what is saved when, and what a resumed crawl fetches.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly TempDirectory dir = new("resume");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_page_is_saved_only_after_the_consumer_has_taken_the_next_record()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 30, links: 3);
        var frontier = new WatchedFrontier();
        await using var provider = EngineHarness.Build(EngineHarness.Fast(max: 4), configure: s => s.AddSingleton<IFrontier>(frontier));
        var engine = provider.GetRequiredService<CrawlEngine>();

        var seen = 0;
        await foreach (var result in engine.RunAsync([site.Url("/index.html")], CancellationToken.None))
        {
            // The record is in the consumer's hands, not yet written: its page must not be saved.
            Assert.False(frontier.IsCompleted(result.Url), $"{result.Url} was saved before its record was handled");
            seen++;
        }

        Assert.Equal(31, seen);
        Assert.Equal(31, frontier.Completed);
        Assert.Equal(31, (await frontier.CheckpointAsync(default)).Pages);
    }

    [Fact]
    public async Task Stopped_crawl_resumed_from_its_state_fetches_every_page_exactly_once()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 200, links: 4);
        site.HoldAfter(60);
        var options = EngineHarness.Fast(max: 4, depth: 1000);
        options.State = dir.File("crawl.db");
        options.Grace = TimeSpan.Zero;

        List<CrawlResult> first;
        await using (var provider = EngineHarness.Build(options))
        {
            using var stop = new CancellationTokenSource();
            var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/index.html")], stop.Token);
            await site.WaitForRequestsAsync(61, TimeSpan.FromSeconds(30));
            await stop.CancelAsync();
            first = await crawl;
        }
        site.ReleaseHeld();
        List<CrawlResult> second;
        await using (var provider = EngineHarness.Build(options))
        {
            second = await EngineHarness.CrawlAsync(provider, [site.Url("/index.html")], CancellationToken.None);
        }

        // Held requests were cancelled at the stop: no failure records, fetched by the resumed run instead.
        Assert.InRange(first.Count, 1, 59);
        Assert.All(first.Concat(second), r => Assert.Null(r.Error));
        var urls = first.Concat(second).Select(r => new Uri(r.Url).AbsolutePath).ToList();
        Assert.Equal(urls.Count, urls.Distinct().Count());
        Assert.Equal(201, urls.Count);
    }

    [Fact]
    public async Task Max_pages_counts_the_pages_of_earlier_runs()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 50, links: 3);
        var options = EngineHarness.Fast(depth: 1000);
        options.State = dir.File("crawl.db");
        options.MaxPages = 10;

        var runs = new List<List<CrawlResult>>();
        foreach (var maxPages in new long[] { 10, 10, 25 })
        {
            options.MaxPages = maxPages;
            await using var provider = EngineHarness.Build(options);
            runs.Add(await EngineHarness.CrawlAsync(provider, [site.Url("/index.html")], CancellationToken.None));
        }

        Assert.Equal([10, 0, 15], runs.Select(r => r.Count));
        var urls = runs.SelectMany(r => r).Select(r => r.Url).ToList();
        Assert.Equal(urls.Count, urls.Distinct().Count());
    }

    [Fact]
    public async Task Deadline_stops_the_crawl_like_a_first_ctrl_c()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 100, links: 3);
        site.HoldAfter(20);
        var time = new FakeTimeProvider();
        var options = EngineHarness.Fast(max: 4, depth: 1000);
        options.Deadline = TimeSpan.FromSeconds(5);
        await using var provider = EngineHarness.Build(options, time);
        var engine = provider.GetRequiredService<CrawlEngine>();

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/index.html")], CancellationToken.None);
        // 20 served, 4 held: every slot is busy, so nothing new can start before the deadline is seen.
        await site.WaitForRequestsAsync(24, TimeSpan.FromSeconds(30));
        time.Advance(options.Deadline);
        site.ReleaseHeld();
        var results = await crawl;

        // The requests in flight finished within the grace period; nothing new was requested.
        Assert.True(engine.Stats.Stopped);
        Assert.Equal(24, site.Log.Count);
        Assert.Equal(23, results.Count);
        Assert.All(results, r => Assert.Null(r.Error));
    }
}
