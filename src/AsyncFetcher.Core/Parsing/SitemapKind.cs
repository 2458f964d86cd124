namespace AsyncFetcher.Core.Parsing;

/// <summary>What a body read as a sitemap turned out to be.</summary>
internal enum SitemapKind
{
    /// <summary>Not XML, or XML whose root is neither <c>urlset</c> nor <c>sitemapindex</c>.</summary>
    NotASitemap,

    /// <summary>A <c>urlset</c>: pages to crawl.</summary>
    UrlSet,

    /// <summary>A <c>sitemapindex</c>: more sitemaps to read.</summary>
    Index,
}
