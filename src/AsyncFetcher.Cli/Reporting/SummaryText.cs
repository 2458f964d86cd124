using System.Globalization;
using System.Text;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Cli.Reporting;

/// <summary>The end summary as people read it on standard error: a headline, then one labelled line per topic, lines with nothing to say left out.</summary>
internal static class SummaryText
{
    private const string Separator = " · ";

    public static string Format(SummaryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder(report.StoppedEarly ? "stopped early: " : "");
        text.Append(c, $"{Counted.Of(report.Pages, "page", "pages")} in {Units.HumanDuration(TimeSpan.FromSeconds(report.DurationSeconds))} ({report.PagesPerSecond:F1} pages/s), {Units.HumanBytes(report.Bytes)}");

        var classes = report.StatusClasses;
        Line("status", Join([("2xx", classes.Success), ("3xx", classes.Redirection), ("4xx", classes.ClientError), ("5xx", classes.ServerError), ("1xx", classes.Informational), ("no response", classes.NoResponse)]));
        Line("top", string.Join(Separator, report.Statuses.Take(5).Select(s => string.Create(c, $"{s.Status} ×{s.Count:N0}"))));
        Line("errors", string.Join(Separator, report.Errors.Take(5).Select(e => string.Create(c, $"{e.Error} ×{e.Count:N0}"))));
        var latency = report.Latency;
        if (latency.Count > 0)
        {
            Line("latency", $"p50 {Ms(latency.P50Ms)}{Separator}p95 {Ms(latency.P95Ms)}{Separator}p99 {Ms(latency.P99Ms)}{Separator}max {Ms(latency.MaxMs)}");
        }
        var resilience = new List<string> { Counted.Of(report.Retries, "retry", "retries") };
        if (report.BreakerPauses is { } pauses)
        {
            var held = report.HeldByBreaker is > 0 ? $" ({Counted.Of(report.HeldByBreaker.Value, "URL", "URLs")} held)" : "";
            resilience.Add(Counted.Of(pauses, "breaker pause", "breaker pauses") + held);
        }
        resilience.Add(Counted.Of(report.Redirects, "redirect", "redirects"));
        if (report.Truncated > 0)
        {
            resilience.Add(Counted.Of(report.Truncated, "body truncated", "bodies truncated"));
        }
        Line("requests", string.Join(Separator, resilience));
        var skipped = new List<string> { string.Create(c, $"{report.Disallowed:N0} disallowed by robots.txt") };
        if (report.OutOfScope is { } outOfScope)
        {
            skipped.Add(Counted.Of(outOfScope, "link", "links") + " out of scope");
        }
        if (report.LinksOverCap is > 0)
        {
            skipped.Add(Counted.Of(report.LinksOverCap.Value, "link", "links") + " over --max-links-per-page");
        }
        Line("skipped", string.Join(Separator, skipped));
        if (report.Recrawl is { } recrawl)
        {
            Line("recrawl", string.Create(c, $"{recrawl.New:N0} new{Separator}{recrawl.Changed:N0} changed{Separator}{recrawl.Unchanged:N0} unchanged{Separator}{recrawl.Gone:N0} gone"));
        }
        if (report.Sitemaps is > 0)
        {
            Line("sitemaps", $"{Counted.Of(report.Sitemaps.Value, "read", "read")}{Separator}{Counted.Of(report.SitemapUrls ?? 0, "URL", "URLs")} listed");
        }
        Line("throttle", Throttled(report));
        if (report.HostCount > 1)
        {
            Line("slowest", string.Join(Separator, report.SlowestHosts.Take(3).Select(h => string.Create(c, $"{h.Host} {Ms((long)h.MeanMs)} mean ({Counted.Of(h.Pages, "page", "pages")})"))));
        }
        var output = report.Output;
        var written = new List<string>();
        if (output.Records is not null)
        {
            written.Add(output.Format is null ? $"records in {output.Records}" : $"records in {output.Records} ({output.Format})");
        }
        if (!string.IsNullOrEmpty(output.SummaryJson))
        {
            written.Add($"summary in {output.SummaryJson}");
        }
        if (!string.IsNullOrEmpty(output.Report))
        {
            written.Add($"report in {output.Report}");
        }
        if (!string.IsNullOrEmpty(output.Warc))
        {
            written.Add($"archive in {output.Warc}");
        }
        Line("output", string.Join(Separator, written));
        return text.ToString();

        void Line(string label, string content)
        {
            if (content.Length > 0)
            {
                text.Append('\n').Append("  ").Append(label.PadRight(9)).Append(content);
            }
        }

        string Join(IEnumerable<(string Label, long Count)> counts) =>
            string.Join(Separator, counts.Where(p => p.Count > 0).Select(p => string.Create(c, $"{p.Label} {p.Count:N0}")));
    }

    /// <summary>
    /// The hosts the auto-throttle backed off on, with the pace each settled on (most back-offs first, at most
    /// three); or, when none did, that every host ran at full pace. Empty with the throttle off.
    /// </summary>
    private static string Throttled(SummaryReport report)
    {
        var paced = report.Hosts.Where(h => h.Concurrency is not null).ToList();
        if (paced.Count == 0)
        {
            return "";
        }
        var slowed = paced.Where(h => h.Backoffs > 0).OrderByDescending(h => h.Backoffs).ThenBy(h => h.Host, StringComparer.Ordinal).ToList();
        if (slowed.Count == 0)
        {
            return paced.Count == 1 ? $"no back-off: {paced[0].Concurrency} at a time" : $"no back-off on {Counted.Of(paced.Count, "host", "hosts")}";
        }
        var shown = slowed.Take(3).Select(h =>
        {
            var delay = h.DelayMs > 0 ? $", {Ms(h.DelayMs.Value)} apart" : "";
            return $"{h.Host} settled at {h.Concurrency} at a time{delay} ({Counted.Of(h.Backoffs!.Value, "back-off", "back-offs")})";
        });
        var more = slowed.Count > 3 ? $"{Separator}{slowed.Count - 3} more slowed" : "";
        return string.Join(Separator, shown) + more;
    }

    private static string Ms(long milliseconds) =>
        milliseconds < 1000 ? milliseconds.ToString(CultureInfo.InvariantCulture) + " ms" : Units.HumanDuration(TimeSpan.FromMilliseconds(milliseconds));
}
