using System.Runtime.CompilerServices;
using System.Text.Json;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output;

/// <summary>Reads records back from JSON Lines written by <see cref="JsonlResultWriter"/>, one at a time, as they are read.</summary>
public static class JsonlResultReader
{
    /// <summary>
    /// Streams the records of <paramref name="reader"/>; blank lines are skipped. A line that is not a
    /// record throws <see cref="InvalidDataException"/> whose message starts with <c>source:line:</c>.
    /// </summary>
    public static async IAsyncEnumerable<CrawlResult> ReadAsync(TextReader reader, string source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            CrawlResult? result;
            try
            {
                result = JsonSerializer.Deserialize(line, ResultJsonContext.Default.CrawlResult);
            }
            catch (JsonException e)
            {
                var hint = line.StartsWith("url,", StringComparison.Ordinal) ? "this looks like CSV; write the records as JSONL (the default format) to read them back" : e.Message;
                throw new InvalidDataException($"{source}:{number}: not a JSON record ({hint})", e);
            }
            yield return result ?? throw new InvalidDataException($"{source}:{number}: not a JSON record (null)");
        }
    }
}
