using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// A shared frontier when Redis is out of reach, emptied under the crawl, or shared by workers that must keep
/// crawl-wide limits: real worker processes, and a real redis-server on loopback that the tests stop and restart
/// (a private one for each test that does; never the shared one).
/// </summary>
public sealed class RedisFaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempDirectory dir = new("redis-faults");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Redis_out_of_reach_at_start_ends_after_the_frontier_timeout_with_one_short_line_and_exit_1()
    {
        var address = $"redis://127.0.0.1:{LoopbackPort.Free()}/0";

        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--frontier", address, "--crawl-id", "unreachable", "--frontier-timeout", "1s"], timeout: Patience);

        Assert.Equal(1, run.ExitCode);
        Assert.Matches($@"^asyncfetch: error: redis at {address} did not answer for 1s \(--frontier-timeout\): cannot connect$", run.StderrLines[^1]);
        // At most one warning when the outage starts (the client may still be connecting when the second is up), not a client diagnostic every few seconds.
        Assert.InRange(run.StderrLines.Count(l => l.Contains("unavailable", StringComparison.Ordinal)), 0, 1);
        Assert.All(run.StderrLines, l => Assert.True(l.Length < 200, l));
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_first_signal_stops_a_crawl_that_waits_for_redis_at_once(string signal, int exitCode)
    {
        var address = $"redis://127.0.0.1:{LoopbackPort.Free()}/0";

        // The grace period cannot end this run, nor, for half a minute, the frontier timeout: the signal must, at once.
        using var crawl = RunningCli.Start(["crawl", "http://127.0.0.1:9/", "--frontier", address, "--crawl-id", "waiting", "--grace", "1h"],
            null, dir.Path, null);
        await crawl.WaitForStderrAsync("unavailable", Patience);
        await crawl.SignalAsync(signal);
        var run = await crawl.WaitForExitAsync(Patience);

        Assert.Equal(exitCode, run.ExitCode);
        Assert.DoesNotContain("Exception", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_restarted_empty_mid_crawl_is_one_line_saying_the_frontier_was_lost_and_exit_1()
    {
        await using var redis = await RedisServer.StartAsync(persistent: false);
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(300, 5);
        site.HoldAfter(30);

        using var worker = CrawlWorker.Start(site, redis.Address, RedisServer.NewCrawlId("emptied"), "w", dir.Path);
        await site.WaitForRequestsAsync(31, Patience);
        await redis.StopAsync();
        await redis.RestartAsync();
        site.ReleaseHeld();
        var run = await worker.WaitForExitAsync(Patience);

        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"asyncfetch: error: the frontier was lost: redis at {redis.Address} no longer holds crawl", run.StderrLines[^1], StringComparison.Ordinal);
        Assert.Single(run.StderrLines, l => l.StartsWith("asyncfetch: error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_pages_counts_the_whole_crawl_exactly_and_robots_txt_is_fetched_once_for_all_workers()
    {
        var redis = await RedisServer.SharedAsync();
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(1000, 10);
        var crawlId = RedisServer.NewCrawlId("cap");
        // A lease far longer than the test: no worker's robots.txt claim or lease can run out under a slow machine.
        string[] flags = ["--max-pages", "100", "--lease", "10m"];

        using var w1 = CrawlWorker.Start(site, redis.Address, crawlId, "w1", dir.Path, flags);
        using var w2 = CrawlWorker.Start(site, redis.Address, crawlId, "w2", dir.Path, flags);
        using var w3 = CrawlWorker.Start(site, redis.Address, crawlId, "w3", dir.Path, flags);
        foreach (var worker in new[] { w1, w2, w3 })
        {
            var run = await worker.WaitForExitAsync(Patience);
            Assert.True(run.ExitCode == 0, run.Stderr);
        }

        var urls = new[] { "w1", "w2", "w3" }.SelectMany(Urls).ToList();
        Assert.Equal(100, urls.Count);
        Assert.Equal(100, urls.Distinct().Count());
        Assert.Equal(1, site.Log.Count(path => path == "/robots.txt"));
    }

    [Fact]
    public async Task A_worker_joining_a_crawl_whose_host_is_at_its_cap_says_more_workers_cannot_make_it_faster()
    {
        var redis = await RedisServer.SharedAsync();
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(50, 5);
        // robots.txt, the index and three pages; then w1's two requests are held, and the host's two slots with them.
        site.HoldAfter(5);
        var crawlId = RedisServer.NewCrawlId("at-cap");
        string[] flags = ["--max", "2", "--max-per-host", "2", "--lease", "10m"];

        using var w1 = CrawlWorker.Start(site, redis.Address, crawlId, "w1", dir.Path, flags);
        await site.WaitForRequestsAsync(7, Patience);
        using var w2 = CrawlWorker.Start(site, redis.Address, crawlId, "w2", dir.Path, flags, quiet: false);
        await w2.WaitForStderrAsync("more workers cannot make this crawl faster", Patience);
        site.ReleaseHeld();

        Assert.Equal(0, (await w1.WaitForExitAsync(Patience)).ExitCode);
        var joined = await w2.WaitForExitAsync(Patience);
        Assert.Equal(0, joined.ExitCode);
        Assert.Single(joined.StderrLines, l => l.Contains("is at its --max-per-host cap (2) over the crawl's workers", StringComparison.Ordinal));
    }

    private List<string> Urls(string worker) =>
        [.. Jsonl.Records(File.ReadAllText(dir.File(worker + ".jsonl"))).Select(r => r.GetProperty("url").GetString()!)];
}
