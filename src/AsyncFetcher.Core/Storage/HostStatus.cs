namespace AsyncFetcher.Core.Storage;

/// <summary>One host's share of a <see cref="CrawlStatus"/>.</summary>
internal sealed record HostStatus(string Host, long Queued, long Leased, long Done, long Failed);
