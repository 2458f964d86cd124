namespace AsyncFetcher.Core.Output.Summary;

/// <summary>How many records carried one error reason (timeout, dns, ...).</summary>
public sealed record ErrorCount(string Error, long Count);
