using System.Text.RegularExpressions;
using AsyncFetcher.Core.Output.Report;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Core.Tests.Output;

/// <summary>What can be checked without a browser; Cli.Tests renders the report in Chromium.</summary>
public sealed partial class HtmlReportTemplateTests
{
    [Fact]
    public void The_report_loads_nothing_from_elsewhere()
    {
        var html = HtmlReport.Render(new CrawlSummary().ToReport());

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        Assert.StartsWith("<!doctype html>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_from_the_crawl_cannot_break_out_of_its_script_element()
    {
        var summary = new CrawlSummary();
        summary.Add(new AsyncFetcher.Core.Model.CrawlResult { Url = "http://a.example/", Error = "</script><script>alert(1)</script>", Attempts = 1 });

        var html = HtmlReport.Render(summary.ToReport());

        Assert.Equal(2, Regex.Count(html, "</script>"));
        Assert.DoesNotContain("alert(1)</script>", html, StringComparison.Ordinal);
    }

    // src= or href= with a scheme, or a stylesheet link, would make the file depend on the network.
    [GeneratedRegex("""(src|href)\s*=\s*["']?[a-z]+:|<link\b|@import""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
