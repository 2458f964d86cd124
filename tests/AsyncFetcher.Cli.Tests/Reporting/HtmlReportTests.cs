using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using AsyncFetcher.Core.Output.Summary;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>The HTML report, written by a crawl and rebuilt from its records, opened in a real browser.</summary>
public sealed class HtmlReportTests : IDisposable
{
    private readonly TempDirectory dir = new("report");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_report_of_a_crawl_and_the_one_rebuilt_from_its_records_draw_their_charts_in_Chromium()
    {
        await using var site = await SummaryTests.KnownSite.StartAsync();
        var records = dir.File("records.jsonl");
        var crawlReport = dir.File("crawl.html");
        var rebuilt = dir.File("rebuilt.html");

        var crawl = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--retries", "0", "-o", records, "--report", crawlReport, "--quiet"]);
        var report = await CliRunner.RunAsync(["report", records, "-o", rebuilt]);

        Assert.True(crawl.ExitCode == 0, crawl.Stderr);
        Assert.True(report.ExitCode == 0, report.Stderr);
        Assert.StartsWith("asyncfetch: 7 pages in ", report.StderrLines[0], StringComparison.Ordinal);
        foreach (var file in new[] { crawlReport, rebuilt })
        {
            var dom = new HtmlParser().ParseDocument(await HeadlessChromium.DumpDomAsync(file));
            Assert.Equal("true", dom.Body!.GetAttribute("data-drawn"));

            var bars = dom.QuerySelectorAll("#latency-chart rect.bar");
            Assert.NotEmpty(bars);
            Assert.Contains(bars, bar => Number(bar, "height") > 0);
            Assert.Equal(bars.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), dom.QuerySelector("#latency-chart")!.GetAttribute("data-drawn"));

            var line = Assert.Single(dom.QuerySelectorAll("#timeline-chart path.line"));
            Assert.StartsWith("M", line.GetAttribute("d"), StringComparison.Ordinal);
            Assert.Single(dom.QuerySelectorAll("#timeline-chart path.area"));

            var segments = dom.QuerySelectorAll("#status-chart rect.segment");
            Assert.Equal(["segment s2xx", "segment s4xx", "segment s5xx"], segments.Select(s => s.GetAttribute("class")));
            Assert.Equal(600, segments.Sum(s => Number(s, "width")), precision: 3);

            var statusRows = dom.QuerySelectorAll("#status-table tbody tr").Select(r => r.TextContent).ToList();
            Assert.Equal(4, statusRows.Count);
            Assert.StartsWith("2004", statusRows[0], StringComparison.Ordinal);
            var hostRow = Assert.Single(dom.QuerySelectorAll("#host-table tbody tr"));
            Assert.Equal(site.BaseUrl.Authority, hostRow.QuerySelector("td")!.TextContent);
            Assert.Equal("7", dom.QuerySelectorAll("#cards .card").First(c => c.TextContent.StartsWith("Pages", StringComparison.Ordinal)).QuerySelector(".value")!.TextContent);
        }

        // The same records give the same summary, whichever way the report was made (only the timing differs).
        var fromCrawl = Embedded(crawlReport);
        var fromRecords = Embedded(rebuilt);
        Assert.Equal(fromCrawl.Statuses, fromRecords.Statuses);
        Assert.Equal(fromCrawl.Latency.Histogram, fromRecords.Latency.Histogram);
        Assert.Equal((fromCrawl.Latency.P50Ms, fromCrawl.Latency.P99Ms), (fromRecords.Latency.P50Ms, fromRecords.Latency.P99Ms));
        // Only the live crawl knows where its throttle settled for each host: records do not carry it.
        Assert.Equal(fromCrawl.Hosts.Select(h => h with { Concurrency = null, DelayMs = null, Backoffs = null }), fromRecords.Hosts);
        Assert.All(fromCrawl.Hosts, h => Assert.NotNull(h.Concurrency));
        Assert.Equal(records, fromRecords.Output.Records);
    }

    [Fact]
    public async Task A_records_file_with_a_bad_line_is_a_usage_error_naming_the_line()
    {
        var records = dir.File("records.jsonl");
        File.WriteAllText(records, "{\"url\":\"http://a.example/\",\"status\":200}\n{\"url\": oops}\n");
        var output = dir.File("report.html");

        var run = await CliRunner.RunAsync(["report", records, "-o", output]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"asyncfetch: error: {records}:2: not a JSON record", Assert.Single(run.StderrLines), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task A_missing_records_file_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync(["report", "missing.jsonl", "-o", "report.html"], workingDirectory: dir.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("asyncfetch: error: cannot read 'missing.jsonl': no such file", Assert.Single(run.StderrLines));
    }

    private static double Number(IElement element, string attribute) =>
        double.Parse(element.GetAttribute(attribute)!, System.Globalization.CultureInfo.InvariantCulture);

    private static SummaryReport Embedded(string file)
    {
        var html = new HtmlParser().ParseDocument(File.ReadAllText(file));
        return SummaryJson.Deserialize(html.QuerySelector("#summary-data")!.TextContent)!;
    }
}
