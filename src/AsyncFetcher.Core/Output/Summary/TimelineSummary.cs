namespace AsyncFetcher.Core.Output.Summary;

/// <summary>Records completed per time slice from the start of the crawl: pages per second over time.</summary>
public sealed record TimelineSummary
{
    /// <summary>Seconds per slice: 1 for crawls up to <see cref="CrawlSummary.MaxTimelinePoints"/> seconds, longer beyond, so the list stays short.</summary>
    public int BucketSeconds { get; init; } = 1;

    /// <summary>Records completed in each slice, the first starting when the crawl started.</summary>
    public IReadOnlyList<long> Pages { get; init; } = [];
}
