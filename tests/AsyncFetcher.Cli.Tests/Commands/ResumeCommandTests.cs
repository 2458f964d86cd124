using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// Ctrl+C, SIGTERM, kill -9, --deadline and --state with the real binary: what the user is left
/// with (exit code, output file, state) and what running the same command again does.
/// </summary>
public sealed class ResumeCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory dir = new("resume");

    public void Dispose() => dir.Dispose();

    private string Output => dir.File("out.jsonl");

    private string State => dir.File("crawl.db");

    [Fact]
    public async Task Ctrl_c_mid_crawl_exits_130_after_the_grace_with_valid_records_and_the_same_command_resumes()
    {
        await using var site = await SiteAsync(pages: 300, links: 4, holdAfter: 60);
        var command = Crawl(site, "--max", "4", "--grace", "1s");

        CliResult first;
        using (var crawl = RunningCli.Start(command))
        {
            await site.WaitForRequestsAsync(61, Patience);
            await crawl.SignalAsync("INT");
            first = await crawl.WaitForExitAsync(Patience);
        }
        var firstRecords = Jsonl.Records(File.ReadAllText(Output));
        site.ReleaseHeld();
        var second = await CliRunner.RunAsync(command);

        Assert.Equal(130, first.ExitCode);
        Assert.Matches(@"asyncfetch: warning: stopping: waiting up to 1s for [1-4] requests? in flight; press Ctrl\+C again to stop at once", first.Stderr);
        // At least the request that reached the held site is in flight; up to --max may be, depending on how many
        // replacements were dispatched before the signal arrived (none are dispatched after it).
        Assert.Matches(@"grace period over: cancelling [1-4] request\(s\) in flight", first.Stderr);
        Assert.Contains("run the same command again to continue", first.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(first.Stderr);
        // The held requests were cancelled, not recorded as failures.
        Assert.InRange(firstRecords.Count, 1, 59);
        Assert.All(firstRecords, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));

        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains($"resuming: {firstRecords.Count} page(s) done in earlier runs", second.Stderr, StringComparison.Ordinal);
        AssertEveryPageOnce(301);
    }

    [Fact]
    public async Task Sigterm_exits_143_with_valid_records()
    {
        await using var site = await SiteAsync(pages: 50, links: 3, holdAfter: 10);

        using var crawl = RunningCli.Start(Crawl(site, "--max", "2", "--grace", "0s"));
        await site.WaitForRequestsAsync(11, Patience);
        await crawl.SignalAsync("TERM");
        var run = await crawl.WaitForExitAsync(Patience);

        Assert.Equal(143, run.ExitCode);
        AssertNoStackTrace(run.Stderr);
        var records = Jsonl.Records(File.ReadAllText(Output));
        Assert.InRange(records.Count, 1, 9);
        Assert.All(records, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));
    }

    [Fact]
    public async Task A_second_ctrl_c_exits_at_once_says_what_it_abandoned_and_the_state_stays_usable()
    {
        await using var site = await SiteAsync(pages: 100, links: 3, holdAfter: 30);
        var command = Crawl(site, "--max", "4", "--grace", "10m");

        CliResult first;
        using (var crawl = RunningCli.Start(command))
        {
            await site.WaitForRequestsAsync(31, Patience);
            await crawl.SignalAsync("INT");
            await crawl.WaitForStderrAsync("stopping: waiting up to 10m for", Patience);
            await crawl.SignalAsync("INT");
            // Long before the 10-minute grace period is over.
            first = await crawl.WaitForExitAsync(Patience);
        }
        site.ReleaseHeld();
        var second = await CliRunner.RunAsync(command);

        Assert.Equal(130, first.ExitCode);
        Assert.Contains(first.StderrLines, l => Regex.IsMatch(l, @"^asyncfetch: warning: stopping: waiting up to 10m for [1-4] requests? in flight; press Ctrl\+C again to stop at once$"));
        var abandoned = $"; they are fetched again when the same command runs again; the state is in {State}";
        Assert.Contains(first.StderrLines, l => Regex.IsMatch(l, @"^asyncfetch: warning: stopped at once: [1-4] requests? in flight abandoned") && l.EndsWith(abandoned, StringComparison.Ordinal));
        AssertNoStackTrace(first.Stderr);
        Assert.True(second.ExitCode == 0, second.Stderr);
        AssertEveryPageOnce(101);
    }

    [Fact]
    public async Task After_kill_9_the_same_command_resumes_and_every_page_is_in_the_output_exactly_once()
    {
        await using var site = await SiteAsync(pages: 300, links: 4, holdAfter: 100);
        // The throttle would lower the four slots when the held requests' latency rises: they stay four.
        var command = Crawl(site, "--max", "4", "--auto-throttle", "off");

        using (var crawl = RunningCli.Start(command))
        {
            // All four slots held: the crawl is surely mid-way, with pages in flight.
            await site.WaitForRequestsAsync(104, Patience);
            crawl.KillHard();
            await crawl.WaitForExitAsync(Patience);
        }
        var requestsBefore = site.Log.Count;
        site.ReleaseHeld();
        var second = await CliRunner.RunAsync(command);

        Assert.True(second.ExitCode == 0, second.Stderr);
        AssertEveryPageOnce(301);
        // Only what was in flight (requested, not yet saved: the 4 held, and any fetched but not yet
        // saved when the process died) is fetched a second time.
        // The kill can land before the first group commit: then nothing was saved and no "resuming" line is logged.
        var resuming = Regex.Match(second.Stderr, @"resuming: (\d+) page\(s\) done");
        var saved = resuming.Success ? int.Parse(resuming.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        // Pages, not requests: on a busy machine a page of the first run may have been asked twice (a retry).
        var firstRun = site.Log.Take(requestsBefore).Where(p => p != "/robots.txt").Distinct().ToList();
        var again = site.Log.Skip(requestsBefore).Where(firstRun.Contains).Distinct().ToList();
        Assert.Equal(firstRun.Count - saved, again.Count);
        Assert.InRange(again.Count, 4, firstRun.Count);
    }

    [Fact]
    public async Task A_finished_crawl_run_again_fetches_nothing_and_says_so_and_fresh_starts_over()
    {
        await using var site = await SiteAsync(pages: 20, links: 3);
        var command = Crawl(site);

        var first = await CliRunner.RunAsync(command);
        var requests = site.Log.Count;
        var again = await CliRunner.RunAsync(command);
        var requestsAgain = site.Log.Count - requests;
        var fresh = await CliRunner.RunAsync([.. command, "--fresh"]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, requestsAgain);
        Assert.Contains("crawl already complete: 21 page(s) done; use --fresh to start over", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, fresh.ExitCode);
        Assert.Equal(2 * requests, site.Log.Count);
        AssertEveryPageOnce(21);
    }

    [Theory]
    [InlineData("jsonl")]
    [InlineData("csv")]
    public async Task A_torn_last_line_is_cut_before_appending_and_csv_gets_one_header(string format)
    {
        await using var site = await SiteAsync(pages: 50, links: 3);
        var command = Crawl(site, "--format", format, "--quiet");

        var first = await CliRunner.RunAsync([.. command, "--max-pages", "5"]);
        // What a run killed in the middle of a write leaves: a line without its end.
        File.AppendAllText(Output, format == "csv" ? "http://127.0.0.1/torn,http://127.0.0.1/to" : "{\"url\":\"http://127.0.0.1/torn\",\"sta");
        var second = await CliRunner.RunAsync([.. command, "--max-pages", "12"]);

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        var lines = File.ReadAllText(Output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(File.ReadAllText(Output).EndsWith('\n'));
        Assert.DoesNotContain(lines, l => l.Contains("torn", StringComparison.Ordinal));
        if (format == "csv")
        {
            Assert.Equal(13, lines.Length);
            Assert.Single(lines, l => l.StartsWith("url,finalUrl,", StringComparison.Ordinal));
            Assert.Equal(12, lines.Skip(1).Select(l => l.Split(',')[0]).Distinct().Count());
        }
        else
        {
            Assert.Equal(12, Jsonl.Records(string.Join('\n', lines)).Select(r => r.GetProperty("url").GetString()).Distinct().Count());
        }
    }

    [Fact]
    public async Task Deadline_ends_the_crawl_gracefully_with_exit_0_and_the_same_command_resumes()
    {
        await using var site = await SiteAsync(pages: 100, links: 3, holdAfter: 20);
        var command = Crawl(site, "--max", "4", "--grace", "0s");

        // The held requests never finish: only the deadline can end this run.
        var first = await CliRunner.RunAsync([.. command, "--deadline", "1s"]);
        site.ReleaseHeld();
        var second = await CliRunner.RunAsync(command);

        Assert.Equal(0, first.ExitCode);
        Assert.Contains("deadline reached after", first.Stderr, StringComparison.Ordinal);
        Assert.Contains("run the same command again to continue", first.Stderr, StringComparison.Ordinal);
        AssertNoStackTrace(first.Stderr);
        Assert.Equal(0, second.ExitCode);
        AssertEveryPageOnce(101);
    }

    [Fact]
    public async Task Fresh_without_state_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--fresh"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("asyncfetch: error: --fresh needs --state FILE (without a state file every crawl starts fresh)", Assert.Single(run.StderrLines));
    }

    [Fact]
    public async Task A_state_file_that_is_not_one_is_a_usage_error_and_is_left_alone()
    {
        File.WriteAllText(State, "my notes\n");

        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--state", State]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"asyncfetch: error: cannot use state '{State}': not an asyncfetch state file (not a SQLite database)", Assert.Single(run.StderrLines));
        Assert.Equal("my notes\n", File.ReadAllText(State));
    }

    private static async Task<LocalSite> SiteAsync(int pages, int links, int holdAfter = int.MaxValue)
    {
        var site = await LocalSite.StartAsync();
        site.Synthetic(pages, links);
        site.HoldAfter(holdAfter);
        return site;
    }

    /// <summary>A crawl of the whole site with the state file and the output file of this test.</summary>
    private string[] Crawl(LocalSite site, params string[] options) =>
        ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--state", State, "-o", Output, .. options];

    private void AssertEveryPageOnce(int pages)
    {
        var text = File.ReadAllText(Output);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var urls = Jsonl.Records(text).Select(r => r.GetProperty("url").GetString()!).ToList();
        var duplicates = urls.GroupBy(u => u).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
        Assert.Equal(pages, urls.Count);
    }

    private static void AssertNoStackTrace(string stderr)
    {
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
