namespace AsyncFetcher.Core.Parsing;

/// <summary>One <c>&lt;url&gt;</c> or <c>&lt;sitemap&gt;</c> of a sitemap: its normalised location and its <c>&lt;lastmod&gt;</c>, if it has one that parses.</summary>
internal readonly record struct SitemapEntry(Uri Url, DateTimeOffset? LastModified);
