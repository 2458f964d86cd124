namespace AsyncFetcher.Core.Parsing;

/// <summary>What a page's links are read under: the crawl's options that bear on them.</summary>
/// <param name="FollowNofollow">Also follow links marked rel="nofollow".</param>
/// <param name="SortQuery">Sort query parameters when normalising.</param>
/// <param name="MaxUrlLength">Longer URLs are dropped.</param>
/// <param name="MaxLinks">The most distinct links kept from one page; 0 = no limit.</param>
internal sealed record LinkRules(bool FollowNofollow, bool SortQuery, int MaxUrlLength, int MaxLinks = 0);
