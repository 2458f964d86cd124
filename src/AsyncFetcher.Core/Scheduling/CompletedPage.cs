using AsyncFetcher.Core.Engine;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>A taken request that is done, and the links found on it that are to be queued.</summary>
/// <param name="Request">The request as it was taken (a redirect chain's origin).</param>
/// <param name="Discovered">In-scope links found on the page; those seen before are ignored.</param>
internal sealed record CompletedPage(CrawlRequest Request, IReadOnlyList<CrawlRequest> Discovered);
