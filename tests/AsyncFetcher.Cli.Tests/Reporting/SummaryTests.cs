using AsyncFetcher.Core.Output.Summary;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>The end summary of a real crawl of a site whose statuses are known, on standard error and in --summary-json.</summary>
public sealed class SummaryTests : IDisposable
{
    private readonly TempDirectory dir = new("summary");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_summary_counts_a_crawl_of_a_site_with_known_statuses()
    {
        await using var site = await KnownSite.StartAsync();
        var json = dir.File("summary.json");
        var records = dir.File("records.jsonl");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--retries", "1", "--retry-delay", "0s", "-o", records, "--summary-json", json]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var summary = SummaryJson.Deserialize(File.ReadAllText(json))!;
        Assert.Equal(KnownSite.Pages, summary.Pages);
        Assert.Equal(new StatusClassCounts { Success = 4, ClientError = 2, ServerError = 1 }, summary.StatusClasses);
        Assert.Equal([new StatusCount(200, 4), new StatusCount(404, 1), new StatusCount(410, 1), new StatusCount(500, 1)], summary.Statuses);
        Assert.Equal(1, summary.Retries);
        Assert.Equal(1, summary.Redirects);
        Assert.Equal(1, summary.Disallowed);
        Assert.Equal(1, summary.OutOfScope);
        Assert.Equal(0, summary.BreakerPauses);
        Assert.Equal(KnownSite.Bytes, summary.Bytes);
        Assert.Equal(KnownSite.Pages, summary.Latency.Count);
        Assert.InRange(summary.Latency.P50Ms, 0, summary.Latency.P95Ms);
        Assert.InRange(summary.Latency.P95Ms, summary.Latency.P50Ms, summary.Latency.P99Ms);
        Assert.Equal(summary.Latency.MaxMs, summary.Latency.P99Ms);
        var host = Assert.Single(summary.Hosts);
        Assert.Equal(site.BaseUrl.Authority, host.Host);
        Assert.Equal((KnownSite.Pages, 0L, 3L), (host.Pages, host.Errors, host.Failed));
        Assert.Equal(KnownSite.Pages, summary.Timeline.Pages.Sum());
        Assert.True(summary.DurationSeconds > 0);
        Assert.Equal(new OutputSummary { Records = records, Format = "jsonl", SummaryJson = json }, summary.Output);
        Assert.Equal(KnownSite.Pages, File.ReadAllLines(records).Length);

        // What a person reads at the end, on standard error.
        var lines = run.StderrLines;
        Assert.StartsWith("asyncfetch: 7 pages in ", lines[0], StringComparison.Ordinal);
        Assert.Contains("status   2xx 4 · 4xx 2 · 5xx 1", lines);
        Assert.Contains("top      200 ×4 · 404 ×1 · 410 ×1 · 500 ×1", lines);
        Assert.Contains("requests 1 retry · 0 breaker pauses · 1 redirect", lines);
        Assert.Contains("skipped  1 disallowed by robots.txt · 1 link out of scope", lines);
        Assert.Contains(lines, l => l.StartsWith("latency  p50 ", StringComparison.Ordinal) && l.Contains(" · p95 ", StringComparison.Ordinal) && l.Contains(" · p99 ", StringComparison.Ordinal));
        Assert.Contains($"output   records in {records} (jsonl) · summary in {json}", lines);
    }

    [Fact]
    public async Task Quiet_prints_no_summary_but_still_writes_the_summary_file()
    {
        await using var site = await KnownSite.StartAsync();
        var json = dir.File("summary.json");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--retries", "0", "--quiet", "--summary-json", json]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stderr);
        Assert.Equal(KnownSite.Pages, SummaryJson.Deserialize(File.ReadAllText(json))!.Pages);
    }

    [Fact]
    public async Task An_unwritable_summary_file_fails_before_any_request()
    {
        await using var site = await KnownSite.StartAsync();

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--summary-json", Path.Combine(dir.Path, "no", "such", "summary.json")]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"asyncfetch: error: cannot write '{Path.Combine(dir.Path, "no", "such", "summary.json")}': no such directory", Assert.Single(run.StderrLines));
        Assert.Empty(site.Site.Log);
    }

    [Fact]
    public async Task A_crawl_stopped_by_SIGTERM_still_prints_and_writes_its_summary_saying_so()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/hang");
        site.Map("/hang", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        var json = dir.File("summary.json");
        var report = dir.File("report.html");

        using var process = CliRunner.Start(["crawl", site.Url("/").AbsoluteUri, "--grace", "0s", "--summary-json", json, "--report", report]);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // robots.txt, / and /hang: once the server holds /hang, the crawl is mid-way.
        await site.WaitForRequestsAsync(3, TimeSpan.FromMinutes(1));
        var kill = await ProcessRunner.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], dir.Path, TimeSpan.FromMinutes(1));
        Assert.Equal(0, kill.ExitCode);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(143, process.ExitCode);
        Assert.Contains("asyncfetch: stopped early: 1 page in ", await stderr, StringComparison.Ordinal);
        var summary = SummaryJson.Deserialize(File.ReadAllText(json))!;
        Assert.True(summary.StoppedEarly);
        Assert.Equal(1, summary.Pages);
        Assert.Single((await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("\"stoppedEarly\": true", File.ReadAllText(report), StringComparison.Ordinal);
    }

    /// <summary>
    /// A site with one page per outcome: 200 ×3 and a redirect to a 200, 404, 410, 500 (retried
    /// once), a link disallowed by robots.txt and a link to another host.
    /// </summary>
    internal sealed class KnownSite : IAsyncDisposable
    {
        public const long Pages = 7;
        public static readonly long Bytes = Index.Length + "page a".Length + "page b".Length + "page c".Length + "missing".Length + "gone".Length + "broken".Length;

        private const string Index = """
            <!doctype html><title>Known</title>
            <a href="/a">a</a> <a href="/b">b</a> <a href="/missing">404</a> <a href="/gone">410</a>
            <a href="/error">500</a> <a href="/moved">301</a> <a href="/private/x">robots</a>
            <a href="http://other.invalid/">elsewhere</a>
            """;

        private KnownSite(LocalSite site) => Site = site;

        public LocalSite Site { get; }

        public Uri BaseUrl => Site.BaseUrl;

        public static async Task<KnownSite> StartAsync()
        {
            var site = await LocalSite.StartAsync();
            site.Page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain");
            site.Page("/", Index);
            site.Page("/a", "page a", "text/plain");
            site.Page("/b", "page b", "text/plain");
            site.Page("/c", "page c", "text/plain");
            site.Page("/missing", "missing", "text/plain", 404);
            site.Page("/gone", "gone", "text/plain", 410);
            site.Page("/error", "broken", "text/plain", 500);
            site.Redirect("/moved", "/c", 301);
            site.Map("/private/x", context => context.Response.WriteAsync("never fetched"));
            return new KnownSite(site);
        }

        public Uri Url(string path) => Site.Url(path);

        public ValueTask DisposeAsync() => Site.DisposeAsync();
    }
}
