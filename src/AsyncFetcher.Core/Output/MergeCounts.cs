namespace AsyncFetcher.Core.Output;

/// <summary>What a merge did: records read, records written (one per URL), lines skipped as not records.</summary>
internal sealed record MergeCounts(long Read, long Written, long Skipped)
{
    /// <summary>Records dropped because another record of the same URL was kept.</summary>
    public long Duplicates => Read - Written;
}
