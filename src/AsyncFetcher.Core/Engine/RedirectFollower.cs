using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// Follows a page's redirects in the engine, not in the HTTP client, so that each hop is checked like a
/// link: by <see cref="RedirectRule"/> (a URL we crawl, no loop, --max-redirects), then scope and the seen
/// set, and then queued to its host like any request. The record of the origin waits for the last hop.
/// Called by the scheduler loop only.
/// </summary>
/// <param name="frontier">Marks each hop seen, so no URL is fetched twice.</param>
/// <param name="hosts">Where a hop is queued to its host.</param>
/// <param name="scope">Whether a hop stays within the crawl's scope.</param>
/// <param name="options">--max-redirects, and how URLs are normalised.</param>
internal sealed class RedirectFollower(IFrontier frontier, HostScheduler hosts, ScopeFilter scope, CrawlOptions options)
{
    /// <summary>
    /// Queues the next hop of a redirect from <paramref name="request"/> to <paramref name="location"/>;
    /// null when it was queued (the record waits for the hop), else where the chain ends and why.
    /// </summary>
    /// <param name="attempts">HTTP requests made for the chain so far.</param>
    /// <param name="elapsed">Time the chain took so far.</param>
    /// <param name="retries">Why each retry of the chain so far was made.</param>
    public async Task<(string? Target, string? Error)?> FollowAsync(CrawlRequest request, Uri location, int attempts, TimeSpan elapsed, IReadOnlyList<string> retries, CancellationToken cancellationToken)
    {
        var urls = request.Redirect?.Urls ?? [request.Key];
        if (!RedirectRule.TryFollow(urls, location, options, out var target, out var refusal))
        {
            return (target?.AbsoluteUri ?? RecordText.Cut(UrlRedaction.RedactText(location.OriginalString)), refusal);
        }
        // A seed that redirects (http → https, a new host) moves its scope with it.
        var isSeed = request.Origin.Depth == 0;
        var scopeHost = isSeed ? target.IdnHost : request.ScopeHost;
        if (!isSeed && !scope.InScope(request.ScopeHost, target))
        {
            return (target.AbsoluteUri, "redirect out of scope");
        }
        var hop = new CrawlRequest(target, request.Depth, request.Parent, scopeHost)
        {
            Redirect = new RedirectChain(request.Origin, [.. urls, target.AbsoluteUri], attempts, elapsed) { Retries = retries },
        };
        if (!await frontier.MarkSeenAsync(hop, cancellationToken).ConfigureAwait(false))
        {
            // Already fetched (or queued) under this URL: the record says where it went, nothing is fetched twice.
            return (target.AbsoluteUri, null);
        }
        hosts.Enqueue(hop);
        return null;
    }
}
