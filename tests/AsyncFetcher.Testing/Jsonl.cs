using System.Text.Json;

namespace AsyncFetcher.Testing;

/// <summary>Records as a user reads them from the output: one JSON object per line.</summary>
public static class Jsonl
{
    /// <summary>The records in <paramref name="jsonl"/>; blank lines are skipped.</summary>
    public static List<JsonElement> Records(string jsonl)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        return [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
    }
}
