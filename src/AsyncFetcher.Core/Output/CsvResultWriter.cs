using System.Globalization;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output;

/// <summary>RFC 4180 CSV: a header row, then one row per record, the same fields as JSONL.</summary>
public sealed class CsvResultWriter : IResultWriter
{
    /// <summary>The column names, in order.</summary>
    public static readonly string[] Columns =
        ["url", "finalUrl", "status", "contentType", "bytes", "elapsedMs", "depth", "parent", "attempts", "redirects", "title", "links", "truncated", "error", "fetchedAt", "worker", "note", "retries", "changed"];

    private readonly StreamWriter writer;
    private readonly bool ownsStream;
    private bool headerWritten;

    /// <summary>
    /// Writes to <paramref name="stream"/>; disposes it at the end when <paramref name="ownsStream"/>.
    /// No header when <paramref name="writeHeader"/> is false (appending to a file that has one).
    /// </summary>
    public CsvResultWriter(Stream stream, bool ownsStream, bool writeHeader = true)
    {
        headerWritten = !writeHeader;
        writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), leaveOpen: !ownsStream) { NewLine = "\r\n" };
        this.ownsStream = ownsStream;
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(CrawlResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        await WriteHeaderAsync().ConfigureAwait(false);
        string?[] fields =
        [
            result.Url, result.FinalUrl, Format(result.Status), result.ContentType, Format(result.Bytes), Format(result.ElapsedMs),
            Format(result.Depth), result.Parent, Format(result.Attempts), Format(result.Redirects), result.Title, Format(result.Links),
            result.Truncated ? "true" : "false", result.Error, result.FetchedAt.ToString("O", CultureInfo.InvariantCulture), result.Worker,
            result.Note, string.Join(';', result.Retries),
            result.Changed is { } changed ? (changed ? "true" : "false") : null,
        ];
        await writer.WriteLineAsync(string.Join(',', fields.Select(Quote))).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // A crawl with no records still leaves a valid CSV file: the header alone.
        await WriteHeaderAsync().ConfigureAwait(false);
        await writer.FlushAsync().ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
    }

    private async Task WriteHeaderAsync()
    {
        if (!headerWritten)
        {
            await writer.WriteLineAsync(string.Join(',', Columns)).ConfigureAwait(false);
            headerWritten = true;
        }
    }

    private static string? Format(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return "";
        }
        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
