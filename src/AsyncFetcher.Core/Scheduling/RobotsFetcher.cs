using System.Text;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Output.Warc;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// Fetches a host's robots.txt as RFC 9309 says: 2xx is parsed, 4xx allows everything, 5xx or no
/// answer disallows everything. Redirects are followed by the same rule as a page's
/// (<see cref="RedirectRule"/>), across hosts as the RFC allows; a chain that rule ends counts as a
/// robots.txt that is not there (RFC 9309 section 2.3.1.2), so it allows everything. With --warc,
/// every fetch of it is archived like a page's.
/// </summary>
internal sealed class RobotsFetcher(Fetcher fetcher, CrawlOptions options, ILogger logger)
{
    /// <summary>Fetches <paramref name="url"/> (the host's /robots.txt) and the redirects it leads to.</summary>
    public async Task<RobotsAnswer> FetchAsync(string hostKey, Uri url, CancellationToken cancellationToken)
    {
        List<string> chain = [url.AbsoluteUri];
        List<HttpCapture> captures = [];
        var circuitOpenings = 0;
        var attempts = 0;
        var elapsed = TimeSpan.Zero;
        while (true)
        {
            // Closed after: the host's pages may wait their turn behind many other hosts, and an idle
            // connection per host would hold a socket each (a crawl of 10,000 hosts: 10,000 of them).
            FetchResponse response;
            try
            {
                response = await fetcher.FetchAsync(url, keepBody: true, cancellationToken, closeConnection: true).ConfigureAwait(false);
            }
            catch
            {
                // Cancelled mid-chain: the hops captured so far are not archived.
                captures.ForEach(c => c.Dispose());
                throw;
            }
            circuitOpenings += response.CircuitOpenings;
            attempts += response.Attempts;
            elapsed += response.Elapsed;
            if (response.Capture is { } capture)
            {
                captures.Add(capture);
            }
            if (response.IsRedirect)
            {
                if (!RedirectRule.TryFollow(chain, response.Location!, options, out var next, out _))
                {
                    return new RobotsAnswer(RobotsTxt.AllowAll, null, circuitOpenings, captures, attempts, elapsed, Answered: response.Answered);
                }
                chain.Add(next.AbsoluteUri);
                url = next;
                continue;
            }
            switch (response.Status)
            {
                case >= 200 and < 300:
                    // The parser cuts at its own limit (dropping a half line); cutting here could turn "Disallow: /private" into "Disallow: /".
                    var text = Encoding.UTF8.GetString(response.Body.Span);
                    return new RobotsAnswer(RobotsTxt.Parse(text, options.RobotsToken), null, circuitOpenings, captures, attempts, elapsed, text, response.Answered);
                case >= 400 and < 500:
                    return new RobotsAnswer(RobotsTxt.AllowAll, null, circuitOpenings, captures, attempts, elapsed, Answered: response.Answered);
                default:
                    // The pages of the host are recorded with this: a failure of robots.txt itself says so ("robots.txt timeout").
                    var reason = response.Error is null ? $"robots.txt unavailable (status {response.Status})"
                        : FetchErrors.IsHostUnreachable(response.Error) ? response.Error
                        : $"robots.txt {response.Error}";
                    logger.LogWarning("{Host}: {Reason}; not crawling that host", hostKey, reason);
                    return new RobotsAnswer(RobotsTxt.DisallowAll, reason, circuitOpenings, captures, attempts, elapsed, Answered: response.Answered);
            }
        }
    }
}
