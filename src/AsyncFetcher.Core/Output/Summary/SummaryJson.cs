using System.Text.Json;

namespace AsyncFetcher.Core.Output.Summary;

/// <summary>The summary as JSON: what <c>--summary-json</c> writes and the HTML report embeds.</summary>
public static class SummaryJson
{
    /// <summary>The summary as indented JSON; '&lt;' and '&gt;' are escaped, so it can sit inside a script element.</summary>
    public static string Serialize(SummaryReport report) => JsonSerializer.Serialize(report, SummaryJsonContext.Default.SummaryReport);

    /// <summary>Writes the summary as indented JSON, ending with a newline.</summary>
    public static async Task WriteAsync(Stream stream, SummaryReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        await JsonSerializer.SerializeAsync(stream, report, SummaryJsonContext.Default.SummaryReport, cancellationToken).ConfigureAwait(false);
        stream.WriteByte((byte)'\n');
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a summary written by <see cref="WriteAsync"/>.</summary>
    public static SummaryReport? Deserialize(string json) => JsonSerializer.Deserialize(json, SummaryJsonContext.Default.SummaryReport);
}
