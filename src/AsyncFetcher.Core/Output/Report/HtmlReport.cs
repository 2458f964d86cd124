using System.Text;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Core.Output.Report;

/// <summary>
/// The HTML report: one self-contained file (inline CSS, inline script, the summary as JSON inside
/// it) whose script draws the charts as SVG when it is opened. Nothing is loaded from elsewhere,
/// so it opens offline.
/// </summary>
public static class HtmlReport
{
    private static readonly Lazy<string> Template = new(LoadTemplate);

    /// <summary>The report's HTML.</summary>
    public static string Render(SummaryReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var version = typeof(HtmlReport).Assembly.GetName().Version?.ToString(3) ?? "0";
        // SummaryJson escapes '<', so the data cannot close its script element.
        return Template.Value
            .Replace("{{VERSION}}", version, StringComparison.Ordinal)
            .Replace("{{SUMMARY}}", SummaryJson.Serialize(report), StringComparison.Ordinal);
    }

    /// <summary>Writes the report's HTML to <paramref name="stream"/>.</summary>
    public static async Task WriteAsync(Stream stream, SummaryReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(Render(report)), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string LoadTemplate()
    {
        using var stream = typeof(HtmlReport).Assembly.GetManifestResourceStream("AsyncFetcher.Core.Output.Report.report.html")
            ?? throw new InvalidOperationException("the report template is missing from the assembly");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
