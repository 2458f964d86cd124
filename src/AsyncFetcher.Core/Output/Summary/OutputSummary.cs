namespace AsyncFetcher.Core.Output.Summary;

/// <summary>Where the crawl's output went.</summary>
public sealed record OutputSummary
{
    /// <summary>The records' file, or "standard output".</summary>
    public string? Records { get; init; }

    /// <summary>jsonl or csv.</summary>
    public string? Format { get; init; }

    /// <summary>The --summary-json file, if any.</summary>
    public string? SummaryJson { get; init; }

    /// <summary>The --report file, if any.</summary>
    public string? Report { get; init; }

    /// <summary>The --warc file, if any (the last of a series with --warc-max-size).</summary>
    public string? Warc { get; init; }
}
