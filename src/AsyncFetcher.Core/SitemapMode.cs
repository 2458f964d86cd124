namespace AsyncFetcher.Core;

/// <summary>Which sitemaps a crawl reads for URLs (<c>--sitemaps</c>).</summary>
public enum SitemapMode
{
    /// <summary>The sitemaps robots.txt names, and seeds that are sitemaps.</summary>
    Auto,

    /// <summary>As <see cref="Auto"/>, and a host's /sitemap.xml when its robots.txt names none.</summary>
    On,

    /// <summary>None: a seed that is a sitemap is fetched as a page.</summary>
    Off,
}
