namespace AsyncFetcher.Core;

/// <summary>How records are written.</summary>
public enum OutputFormat
{
    /// <summary>One JSON object per line.</summary>
    Jsonl,
    /// <summary>RFC 4180 CSV with a header row.</summary>
    Csv,
}
