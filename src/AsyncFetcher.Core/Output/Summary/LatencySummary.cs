namespace AsyncFetcher.Core.Output.Summary;

/// <summary>Time per URL that was requested (all attempts and redirect hops), from a <see cref="LatencyHistogram"/>.</summary>
public sealed record LatencySummary
{
    /// <summary>URLs that were requested (records with at least one attempt).</summary>
    public long Count { get; init; }

    /// <summary>Median, in milliseconds (within about 3%).</summary>
    public long P50Ms { get; init; }

    /// <summary>95th percentile, in milliseconds (within about 3%).</summary>
    public long P95Ms { get; init; }

    /// <summary>99th percentile, in milliseconds (within about 3%).</summary>
    public long P99Ms { get; init; }

    /// <summary>Mean, in milliseconds.</summary>
    public double MeanMs { get; init; }

    /// <summary>The slowest, in milliseconds (exact).</summary>
    public long MaxMs { get; init; }

    /// <summary>Counts in display buckets (1, 2, 5, 10, 20, 50 ... ms), empty ends trimmed.</summary>
    public IReadOnlyList<LatencyBucket> Histogram { get; init; } = [];
}
