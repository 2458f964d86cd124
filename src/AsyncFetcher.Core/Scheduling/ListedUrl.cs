using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>A URL a sitemap lists, as a request, with the sitemap's <c>&lt;lastmod&gt;</c> for it, if it gave one.</summary>
internal readonly record struct ListedUrl(CrawlRequest Request, DateTimeOffset? LastModified);
