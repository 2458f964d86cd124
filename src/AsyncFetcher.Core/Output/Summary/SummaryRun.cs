using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output.Summary;

/// <summary>
/// What only the live crawl knows, added to what the records tell. A report rebuilt from a
/// records file has none of it: the start and duration are then estimated from the records.
/// </summary>
public sealed record SummaryRun
{
    /// <summary>When the crawl started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>How long the crawl ran.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>The crawl was stopped before its end (Ctrl+C, SIGTERM): the summary covers what was done.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The crawl's live counters (robots.txt, scope, breaker), when it ran in this process.</summary>
    public CrawlStats? Stats { get; init; }

    /// <summary>Where the output went.</summary>
    public OutputSummary Output { get; init; } = new();
}
