namespace AsyncFetcher.Core.Output.Summary;

/// <summary>How many records ended with one HTTP status.</summary>
public sealed record StatusCount(int Status, long Count);
