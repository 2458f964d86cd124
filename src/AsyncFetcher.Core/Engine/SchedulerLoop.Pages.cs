using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Engine;

/// <summary>What the scheduler loop does with a page a worker fetched: its redirect, its links, its record.</summary>
internal sealed partial class SchedulerLoop
{
    /// <summary>A page came back: follow its redirect, queue the links found on it, and hand out its record.</summary>
    private async Task CompletePageAsync(PageEvent page)
    {
        var request = page.Request;
        var response = page.Response;
        var chain = request.Redirect;
        var attempts = (chain?.Attempts ?? 0) + response.Attempts;
        var elapsed = (chain?.Elapsed ?? TimeSpan.Zero) + response.Elapsed;
        IReadOnlyList<string> retries = chain is null || chain.Retries.Count == 0 ? response.Retries : [.. chain.Retries, .. response.Retries];
        var result = NewResult(request) with
        {
            FinalUrl = request.Url.AbsoluteUri,
            Status = response.Status,
            ContentType = response.ContentType,
            Bytes = response.Bytes,
            ElapsedMs = (long)elapsed.TotalMilliseconds,
            Attempts = attempts,
            Retries = retries,
            Redirects = chain?.Count ?? 0,
            Truncated = response.Truncated,
            Error = response.Error,
            Title = page.Links?.Title,
            Links = page.Links?.LinksFound,
            Note = page.Links?.Note,
        };
        stats.AddLinksOverCap(page.Links?.LinksOverCap ?? 0);
        var capture = response.Capture;
        if (capture is not null)
        {
            capture.Provenance = (request.Parent, new string('L', request.Depth) + new string('R', chain?.Count ?? 0), (long)response.Elapsed.TotalMilliseconds);
            capture.Outlinks = page.Links?.Links;
            capture.Revisits = chain is null && response.Status == 304 ? request.Version : null;
        }

        if (response.IsRedirect)
        {
            if (stopping)
            {
                // No new requests once stopping: the origin goes back to the frontier, to be fetched on resume.
                capture?.Dispose();
                handoff.ForgetHops(request.Origin);
                await frontier.ReleaseAsync(request.Origin, giveUp.Token).ConfigureAwait(false);
                return;
            }
            if (capture is not null)
            {
                // A hop is archived with the record its chain ends in.
                handoff.HoldHop(request.Origin, capture);
                capture = null;
            }
            var redirect = await redirects.FollowAsync(request, response.Location!, attempts, elapsed, retries, giveUp.Token).ConfigureAwait(false);
            if (redirect is null)
            {
                return;
            }
            result = result with { FinalUrl = redirect.Value.Target ?? result.FinalUrl, Error = redirect.Value.Error };
        }

        // Versions are kept only in a state file: without one there is nothing to compare with or to save.
        var (changed, change, version) = string.IsNullOrEmpty(options.State)
            ? (null, null, null)
            : PageVersions.Compare(request.Origin.Version, response, chain is not null || response.IsRedirect, result.FetchedAt);
        result = result with { Changed = changed };
        if (options.Recrawl && change is { } counted)
        {
            stats.AddChange(counted);
        }

        if (page.Sitemap is not null)
        {
            var (listed, error, added) = await sitemaps.FollowAsync(request, response, page.Sitemap, giveUp.Token).ConfigureAwait(false);
            result = result with { Links = listed ?? result.Links, Error = result.Error ?? error };
            if (added)
            {
                window.Added();
            }
        }
        else if (response.Status is 404 or 410 && sitemaps.IsGuess(request))
        {
            // Not a broken page of the site: the crawler asked for a sitemap nobody named.
            result = result with { Note = "no sitemap: /sitemap.xml was guessed (--sitemaps on), not named or linked" };
        }

        var discovered = new List<CrawlRequest>(page.Links?.Links.Count ?? 0);
        // An unchanged page links where it did: its links are known already.
        if (page.Links is { } links && request.Origin.Depth < options.Depth && changed != false)
        {
            foreach (var link in links.Links)
            {
                if (scope.Allows(request, link) && scope.TakeQueryVariant(link))
                {
                    discovered.Add(new CrawlRequest(link, request.Origin.Depth + 1, request.Url.AbsoluteUri, request.ScopeHost));
                }
            }
            stats.SetOutOfScope(scope.OutOfScope);
        }
        if (discovered.Count > 0)
        {
            await frontier.AddAsync(discovered, giveUp.Token).ConfigureAwait(false);
            window.Added(discovered);
        }
        await handoff.EmitAsync(result, request.Origin, fetched: true, abort.Token, capture, version).ConfigureAwait(false);
    }

    /// <summary>
    /// A URL refused by its host's open circuit breaker, before any request was sent: not a failure. It
    /// goes back to its host, which pauses until the circuit lets a probe through. Each probe that fails
    /// is recorded, so a host that never recovers still runs out of URLs.
    /// </summary>
    private async Task HoldAsync(CrawlRequest request, DateTimeOffset until)
    {
        if (stopping)
        {
            handoff.ForgetHops(request.Origin);
            await frontier.ReleaseAsync(request.Origin, giveUp.Token).ConfigureAwait(false);
            return;
        }
        stats.AddHeld();
        if (request.Redirect is null)
        {
            pagesDispatched--;
        }
        hosts.Hold(request, until);
    }

    /// <summary>
    /// Frees the page's host slot and tells the host's throttle how the fetch went: its time, when it took one
    /// attempt (retries' waits would be counted as the server's), and whether the host asked us to slow down;
    /// the host's next request waits its interval after the answer began.
    /// </summary>
    private void Throttle(PageEvent page)
    {
        var response = page.Response;
        var hostKey = page.Request.HostKey;
        var latency = response.Attempts == 1 && response.Status is not null ? response.Elapsed : (TimeSpan?)null;
        if (hosts.Completed(hostKey, latency, response.Throttled > 0, time.GetUtcNow(), response.Answered) && hosts.Host(hostKey).Throttle is { } throttle)
        {
            stats.SetPace(hostKey, new HostPace(throttle.Limit, throttle.Delay, throttle.Backoffs));
        }
    }

    private CrawlResult NewResult(CrawlRequest request)
    {
        var origin = request.Origin;
        return new CrawlResult { Url = origin.Url.AbsoluteUri, Depth = origin.Depth, Parent = origin.Parent, FetchedAt = time.GetUtcNow(), Worker = frontier.Worker };
    }
}
