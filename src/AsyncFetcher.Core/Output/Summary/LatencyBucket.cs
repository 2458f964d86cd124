namespace AsyncFetcher.Core.Output.Summary;

/// <summary>One bar of the latency histogram: records that took from <see cref="FromMs"/> up to (not including) <see cref="ToMs"/>; no upper edge on the last.</summary>
public sealed record LatencyBucket(long FromMs, long? ToMs, long Count);
