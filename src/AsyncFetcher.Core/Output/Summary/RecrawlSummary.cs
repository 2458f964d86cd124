namespace AsyncFetcher.Core.Output.Summary;

/// <summary>How the pages of a re-crawl (<c>--recrawl</c>) compare with the earlier crawl.</summary>
public sealed record RecrawlSummary
{
    /// <summary>Pages the earlier crawl had not fetched.</summary>
    public long New { get; init; }

    /// <summary>Pages with a new body or status.</summary>
    public long Changed { get; init; }

    /// <summary>Pages the server answered 304 for, or sent again unchanged.</summary>
    public long Unchanged { get; init; }

    /// <summary>Pages now 404 or 410.</summary>
    public long Gone { get; init; }
}
