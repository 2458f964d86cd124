namespace AsyncFetcher.Core;

/// <summary>Which discovered links a crawl follows, relative to the seed they descend from.</summary>
public enum CrawlScope
{
    /// <summary>The seed's host only.</summary>
    Host,
    /// <summary>The seed's registrable domain and its subdomains.</summary>
    Domain,
    /// <summary>Any host.</summary>
    Any,
}
