using System.Text.Json;

namespace AsyncFetcher.Core.Output;

/// <summary>
/// Merges the JSONL outputs of the workers of one shared crawl into one record per URL. Concatenating is
/// almost enough: a URL whose worker was killed between writing its record and marking it done in Redis is
/// fetched again by another worker, so it can appear twice. The record kept is one without an error over
/// one with, then the later <c>fetchedAt</c>; records keep their first URL's place and are copied verbatim.
/// A line that is not a record (the half line a killed worker can leave) is skipped with a warning.
/// </summary>
internal static class RecordMerger
{
    public static async Task<MergeCounts> MergeAsync(IEnumerable<(string Name, TextReader Reader)> inputs, TextWriter output, Action<string> warn, CancellationToken cancellationToken)
    {
        var kept = new Dictionary<string, Kept>(StringComparer.Ordinal);
        var order = new List<string>();
        long read = 0, skipped = 0;
        foreach (var (name, reader) in inputs)
        {
            var number = 0;
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                number++;
                if (line.Length == 0)
                {
                    continue;
                }
                if (!TryRead(line, out var candidate))
                {
                    warn($"{name}:{number}: not a record; skipped");
                    skipped++;
                    continue;
                }
                read++;
                if (!kept.TryGetValue(candidate.Url, out var current))
                {
                    order.Add(candidate.Url);
                    kept[candidate.Url] = candidate;
                }
                else if (candidate.IsBetterThan(current))
                {
                    kept[candidate.Url] = candidate;
                }
            }
        }
        foreach (var url in order)
        {
            await output.WriteLineAsync(kept[url].Line.AsMemory(), cancellationToken).ConfigureAwait(false);
        }
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new MergeCounts(read, order.Count, skipped);
    }

    private static bool TryRead(string line, out Kept record)
    {
        record = default;
        try
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            var failed = root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null;
            var at = root.TryGetProperty("fetchedAt", out var fetchedAt) && fetchedAt.TryGetDateTimeOffset(out var when) ? when : DateTimeOffset.MinValue;
            record = new Kept(url.GetString()!, line, failed, at);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private readonly record struct Kept(string Url, string Line, bool Failed, DateTimeOffset FetchedAt)
    {
        public bool IsBetterThan(Kept other) => Failed != other.Failed ? !Failed : FetchedAt > other.FetchedAt;
    }
}
