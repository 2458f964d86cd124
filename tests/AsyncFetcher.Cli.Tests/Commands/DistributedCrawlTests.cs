using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// Several real asyncfetch processes sharing one crawl through a real redis-server on loopback
/// (<c>--frontier</c>), against a 1,000-page site: what each writes, what the site saw, what <c>status</c> says.
/// </summary>
public sealed class DistributedCrawlTests : IDisposable
{
    private const int Pages = 1001; // /index.html and /p/0.html ... /p/999.html
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);
    private readonly TempDirectory dir = new("dist");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Two_workers_share_one_crawl_and_every_page_is_fetched_and_written_exactly_once()
    {
        var redis = await RedisServer.SharedAsync();
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(1000, 10);
        var crawlId = RedisServer.NewCrawlId("two");

        using var w1 = CrawlWorker.Start(site, redis.Address, crawlId, "w1", dir.Path);
        using var w2 = CrawlWorker.Start(site, redis.Address, crawlId, "w2", dir.Path);

        var w1Run = await w1.WaitForExitAsync(Patience);
        Assert.True(w1Run.ExitCode == 0, w1Run.Stderr);
        var w2Run = await w2.WaitForExitAsync(Patience);
        Assert.True(w2Run.ExitCode == 0, w2Run.Stderr);
        var records = Output("w1").Concat(Output("w2")).ToList();
        Assert.Equal(ExpectedUrls(site), records.Select(r => r.Url).Order());
        Assert.All(Output("w1"), r => Assert.Equal("w1", r.Worker));
        Assert.All(Output("w2"), r => Assert.Equal("w2", r.Worker));
        Assert.All(site.Log.Where(path => path != "/robots.txt").CountBy(path => path), page => Assert.Equal(1, page.Value));

        var status = await CliRunner.RunAsync(["status", "--frontier", redis.Address, "--crawl-id", crawlId]);
        Assert.True(status.ExitCode == 0, status.Stderr);
        Assert.Equal((0, 0, Pages, 0), Counts(status.Stdout));
        Assert.Contains("finished", status.StdoutLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_killed_worker_loses_no_page_and_only_its_in_flight_pages_are_fetched_twice_while_the_host_cap_holds_across_workers()
    {
        const int max = 4, cap = 6;
        var redis = await RedisServer.SharedAsync();
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(1000, 10);
        site.Delay = TimeSpan.FromMilliseconds(5);
        var crawlId = RedisServer.NewCrawlId("kill");
        string[] limits = ["--max", $"{max}", "--max-per-host", $"{cap}"];

        // Only the victim's leases are short: the others' cannot run out however slowly the machine renews them.
        using var victim = CrawlWorker.Start(site, redis.Address, crawlId, "victim", dir.Path, [.. limits, "--lease", "2s"]);
        using var w2 = CrawlWorker.Start(site, redis.Address, crawlId, "w2", dir.Path, limits);
        using var w3 = CrawlWorker.Start(site, redis.Address, crawlId, "w3", dir.Path, limits);
        await UntilRequestsAsync(site, 300, victim, w2, w3);
        victim.KillHard();

        var w2Run = await w2.WaitForExitAsync(Patience);
        Assert.True(w2Run.ExitCode == 0, w2Run.Stderr);
        var w3Run = await w3.WaitForExitAsync(Patience);
        Assert.True(w3Run.ExitCode == 0, w3Run.Stderr);
        var records = Output("victim").Concat(Output("w2")).Concat(Output("w3")).ToList();
        Assert.Equal(ExpectedUrls(site), records.Select(r => r.Url).Distinct().Order());
        Assert.InRange(records.Count - Pages, 0, max);
        // Fetched again: the victim's leased pages that were not yet marked done — in flight, or
        // fetched with the record not yet written (a loaded machine slows the writer). A worker
        // leases at most 2 x --max at a time, so that is the bound.
        var fetchedTwice = site.Log.Where(path => path != "/robots.txt").CountBy(path => path).Count(page => page.Value > 1);
        Assert.InRange(fetchedTwice, 0, 2 * max);
        Assert.InRange(site.PeakInFlight, 1, cap);

        var status = await CliRunner.RunAsync(["status", "--frontier", redis.Address, "--crawl-id", crawlId]);
        Assert.Equal((0, 0, Pages, 0), Counts(status.Stdout));
    }

    [Fact]
    public async Task Ctrl_C_stops_one_worker_and_gives_its_leases_back_at_once()
    {
        var redis = await RedisServer.SharedAsync();
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(300, 5);
        site.Delay = TimeSpan.FromMilliseconds(10);
        var crawlId = RedisServer.NewCrawlId("ctrl-c");
        // A lease far longer than the test: only releasing, not expiry, can hand the URLs on.
        string[] flags = ["--lease", "10m", "--max", "4"];

        using (var stopped = CrawlWorker.Start(site, redis.Address, crawlId, "stopped", dir.Path, flags))
        {
            await UntilRequestsAsync(site, 40, stopped);
            await stopped.SignalAsync("INT");
            Assert.Equal(130, (await stopped.WaitForExitAsync(Patience)).ExitCode);
        }
        var status = await CliRunner.RunAsync(["status", "--frontier", redis.Address, "--crawl-id", crawlId]);
        var (queued, leased, _, _) = Counts(status.Stdout);
        Assert.Equal(0, leased);
        Assert.True(queued > 0, status.Stdout);
        Assert.DoesNotContain("stopped", status.Stdout, StringComparison.Ordinal);

        using var rest = CrawlWorker.Start(site, redis.Address, crawlId, "rest", dir.Path, flags);
        var restRun = await rest.WaitForExitAsync(Patience);
        Assert.True(restRun.ExitCode == 0, restRun.Stderr);
        var records = Output("stopped").Concat(Output("rest")).ToList();
        Assert.Equal(ExpectedUrls(site, 300), records.Select(r => r.Url).Order());
    }

    [Fact]
    public async Task A_redis_restart_mid_crawl_is_waited_out_and_no_page_is_lost()
    {
        await using var redis = await RedisServer.StartAsync(persistent: true);
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(300, 5);
        site.Delay = TimeSpan.FromMilliseconds(5);
        var crawlId = RedisServer.NewCrawlId("restart");

        using var worker = CrawlWorker.Start(site, redis.Address, crawlId, "w", dir.Path, quiet: false);
        await UntilRequestsAsync(site, 50, worker);
        await redis.StopAsync();
        await worker.WaitForStderrAsync("unavailable", Patience);
        await redis.RestartAsync();

        var workerRun = await worker.WaitForExitAsync(Patience);
        Assert.True(workerRun.ExitCode == 0, workerRun.Stderr);
        Assert.Contains("is back", workerRun.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExpectedUrls(site, 300), Output("w").Select(r => r.Url).Order());
    }

    [Fact]
    public async Task Merge_keeps_one_record_per_url_preferring_the_successful_one()
    {
        var a = dir.File("a.jsonl");
        var b = dir.File("b.jsonl");
        await File.WriteAllTextAsync(a,
            """{"url":"http://h/1","error":null,"fetchedAt":"2026-01-01T00:00:01Z","worker":"a"}""" + "\n" +
            """{"url":"http://h/2","error":"timeout","fetchedAt":"2026-01-01T00:00:09Z","worker":"a"}""" + "\n" +
            """{"url":"http://h/3","err""");
        await File.WriteAllTextAsync(b,
            """{"url":"http://h/2","error":null,"fetchedAt":"2026-01-01T00:00:02Z","worker":"b"}""" + "\n" +
            """{"url":"http://h/1","error":null,"fetchedAt":"2026-01-01T00:00:05Z","worker":"b"}""" + "\n");
        var merged = dir.File("all.jsonl");

        var run = await CliRunner.RunAsync(["merge", a, b, "-o", merged]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var lines = File.ReadAllLines(merged).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["http://h/1", "http://h/2"], lines.Select(l => l.GetProperty("url").GetString()));
        Assert.Equal(["b", "b"], lines.Select(l => l.GetProperty("worker").GetString()));
        Assert.Contains($"{a}:3: not a record", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("2 duplicate(s) dropped", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--frontier", "http://127.0.0.1:6379/0", "--crawl-id", "x", "--frontier must be a redis://")]
    [InlineData("--frontier", "redis://127.0.0.1:6379/0", "--lease", "10s", "--crawl-id is required")]
    [InlineData("--crawl-id", "has space", "--lease", "10s", "--crawl-id must be")]
    [InlineData("--frontier", "redis://127.0.0.1:6379/0", "--lease", "100ms", "--lease must be")]
    public async Task Bad_distributed_flags_get_one_line_and_exit_2(string flag1, string value1, string flag2, string value2, string expected)
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", flag1, value1, flag2, value2]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"asyncfetch: error: {expected}", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_state_file_and_a_shared_frontier_together_are_a_usage_error()
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--frontier", "redis://127.0.0.1:6379/0", "--crawl-id", "x", "--state", dir.File("s.db")]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("asyncfetch: error: --state cannot be used with --frontier", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_of_an_unknown_crawl_is_a_usage_error()
    {
        var redis = await RedisServer.SharedAsync();

        var run = await CliRunner.RunAsync(["status", "--frontier", redis.Address, "--crawl-id", RedisServer.NewCrawlId("none")]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("asyncfetch: error: no crawl", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    /// <summary>Waits until the site has seen <paramref name="count"/> requests; fails at once, with its stderr, if a worker exits first.</summary>
    private static async Task UntilRequestsAsync(LocalSite site, int count, params RunningCli[] workers)
    {
        var seen = site.WaitForRequestsAsync(count, Patience);
        var exited = workers.Select(w => w.WaitForExitAsync(Patience)).ToList();
        var first = await Task.WhenAny([seen, .. exited]);
        if (first != seen)
        {
            var run = await (Task<CliResult>)first;
            Assert.Fail($"a worker exited ({run.ExitCode}) before the site saw {count} requests: {run.Stderr}");
        }
        await seen;
    }

    /// <summary>Every URL of a <see cref="SyntheticSite.Synthetic"/> site of <paramref name="pages"/> pages, and its index.</summary>
    private static IEnumerable<string> ExpectedUrls(LocalSite site, int pages = Pages - 1) =>
        Enumerable.Range(0, pages).Select(i => site.Url($"/p/{i}.html").AbsoluteUri).Append(site.Url("/index.html").AbsoluteUri).Order();

    /// <summary>A worker's records; a killed worker may leave a half line at the end, which is no record.</summary>
    private List<(string Url, string? Worker)> Output(string worker)
    {
        var file = dir.File(worker + ".jsonl");
        var records = new List<(string, string?)>();
        foreach (var line in File.Exists(file) ? File.ReadAllLines(file) : [])
        {
            try
            {
                var record = JsonDocument.Parse(line).RootElement;
                records.Add((record.GetProperty("url").GetString()!, record.GetProperty("worker").GetString()));
            }
            catch (JsonException)
            {
            }
        }
        return records;
    }

    private static (long Queued, long Leased, long Done, long Failed) Counts(string status)
    {
        long Count(string name) => long.Parse(Regex.Match(status, $@"^{name}\s+(\d+)", RegexOptions.Multiline).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (Count("queued"), Count("leased"), Count("done"), Count("failed"));
    }
}
