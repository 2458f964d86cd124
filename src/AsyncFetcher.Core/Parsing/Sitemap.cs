namespace AsyncFetcher.Core.Parsing;

/// <summary>What <see cref="SitemapReader"/> found in a body: its kind, the entries it read, and why it stopped early, if it did.</summary>
/// <param name="Kind">A list of pages, a list of sitemaps, or neither.</param>
/// <param name="Entries">The entries read, in document order, at most <see cref="SitemapReader.MaxUrls"/>; those with no usable location left out.</param>
/// <param name="Error">Why the rest was not read (bad XML, a limit) or why it is not a sitemap; null when read whole.</param>
internal sealed record Sitemap(SitemapKind Kind, IReadOnlyList<SitemapEntry> Entries, string? Error)
{
    /// <summary>A body that is no sitemap at all.</summary>
    public static Sitemap Not(string why) => new(SitemapKind.NotASitemap, [], why);
}
