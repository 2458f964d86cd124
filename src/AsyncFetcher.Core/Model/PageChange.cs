namespace AsyncFetcher.Core.Model;

/// <summary>What a re-crawl found a page to be, against the earlier crawl (the summary counts each).</summary>
public enum PageChange
{
    /// <summary>Not fetched by the earlier crawl.</summary>
    New,

    /// <summary>A new body or status.</summary>
    Changed,

    /// <summary>A 304, or the same status and body.</summary>
    Unchanged,

    /// <summary>Now 404 or 410, and not before.</summary>
    Gone,
}
