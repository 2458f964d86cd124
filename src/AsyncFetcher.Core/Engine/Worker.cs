using System.Threading.Channels;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// What each of the crawl's workers runs: take a job from the work channel, fetch it (holding one of the
/// <c>--max</c> slots), parse it, and report the outcome to the scheduler loop as an event. A worker
/// never writes to the work channel and never calls the frontier, so it can never block the loop; and
/// no exception escapes its loop, so one bad page cannot kill a worker and shrink the crawl.
/// </summary>
/// <param name="fetcher">Sends each request through the resilience pipeline.</param>
/// <param name="robots">Fetches a host's robots.txt, redirects included.</param>
/// <param name="extractor">Finds the links on an HTML page.</param>
/// <param name="sitemaps">Reads a sitemap's body.</param>
/// <param name="gate">At most --max requests in flight, over all workers.</param>
/// <param name="stats">The live counters (breaker openings).</param>
/// <param name="logger">Where an unexpected failure is logged, with its URL.</param>
/// <param name="work">The jobs the loop hands out.</param>
/// <param name="events">Where each outcome goes back to the loop.</param>
/// <param name="abort">Cancelled when requests in flight must stop: only this cancellation is a cancellation.</param>
internal sealed class Worker(
    Fetcher fetcher,
    RobotsFetcher robots,
    LinkExtractor extractor,
    SitemapReader sitemaps,
    SemaphoreSlim gate,
    CrawlStats stats,
    ILogger logger,
    ChannelReader<Job> work,
    ChannelWriter<Event> events,
    CancellationToken abort)
{
    /// <summary>One worker's loop: runs until the loop completes the work channel and every job taken is reported.</summary>
    public async Task RunAsync()
    {
        await foreach (var job in work.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Event done;
            try
            {
                done = job.Kind switch
                {
                    JobKind.Robots => await FetchRobotsAsync(job.Request, abort).ConfigureAwait(false),
                    JobKind.Sitemap => await FetchSitemapAsync(job, abort).ConfigureAwait(false),
                    _ => await FetchPageAsync(job, abort).ConfigureAwait(false),
                };
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                done = new CancelledEvent(job);
            }
            catch (Exception e)
            {
                logger.LogError(e, "unexpected failure on {Url}", job.Request.Url);
                done = job.Kind == JobKind.Robots
                    ? new RobotsEvent(job.Request, new RobotsAnswer(RobotsTxt.AllowAll, null, 0, []))
                    : new PageEvent(job.Request, new FetchResponse { Error = $"internal: {e.Message}" }, null);
            }
            events.TryWrite(done);
        }
    }

    private async Task<Event> FetchPageAsync(Job job, CancellationToken cancellationToken)
    {
        var request = job.Request;
        var response = await FetchAsync(job, keepBody: false, cancellationToken).ConfigureAwait(false);
        PageLinks? links = null;
        try
        {
            if (response.IsHtml && response.Status is >= 200 and < 300)
            {
                // Parsing runs after the slot is released: CPU work should not hold a network slot.
                links = extractor.Extract(response.Body.Span, response.Charset, request.Url);
            }
        }
        finally
        {
            // The body was lent until its links are read; the event carries the links, not the bytes.
            fetcher.GiveBack(response);
        }
        return new PageEvent(request, response with { Body = default }, links);
    }

    /// <summary>
    /// Fetches a sitemap, its body kept whatever its type (up to --max-body), and reads it after the slot is
    /// released. A body that is no sitemap but HTML (a seed named like one, a soft 404) has its links read instead.
    /// </summary>
    private async Task<Event> FetchSitemapAsync(Job job, CancellationToken cancellationToken)
    {
        var request = job.Request;
        var response = await FetchAsync(job, keepBody: true, cancellationToken).ConfigureAwait(false);
        if (response.Status is not (>= 200 and < 300))
        {
            return new PageEvent(request, response with { Body = default }, null);
        }
        var sitemap = sitemaps.Read(response.Body, request.Url);
        var links = sitemap.Kind == SitemapKind.NotASitemap && response.IsHtml
            ? extractor.Extract(response.Body.Span, response.Charset, request.Url)
            : null;
        return new PageEvent(request, response with { Body = default }, links) { Sitemap = sitemap };
    }

    /// <summary>One fetch in one of the --max slots; the host's last queued URL closes the connection after it (<see cref="Job.LastForHost"/>).</summary>
    private async Task<FetchResponse> FetchAsync(Job job, bool keepBody, CancellationToken cancellationToken)
    {
        var request = job.Request;
        FetchResponse response;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A re-crawl asks whether a page changed; a redirect hop is another URL, whose validators are not
            // known; a sitemap (kept whole) is read again, as its <lastmod>s say which pages need no fetch.
            var previous = request.Redirect is null && !keepBody ? request.Version : null;
            response = await fetcher.FetchAsync(request.Url, keepBody, cancellationToken, closeConnection: job.LastForHost, previous, job.Pace).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
        stats.AddBreakerOpenings(request.HostKey, response.CircuitOpenings);
        return response;
    }

    /// <summary>Fetches the host's robots.txt (<see cref="RobotsFetcher"/>), redirects included, in one slot.</summary>
    private async Task<Event> FetchRobotsAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        RobotsAnswer answer;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            answer = await robots.FetchAsync(request.HostKey, request.Url, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
        stats.AddBreakerOpenings(request.HostKey, answer.CircuitOpenings);
        return new RobotsEvent(request, answer);
    }
}
