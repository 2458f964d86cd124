using System.Collections.Concurrent;

namespace AsyncFetcher.Core.Model;

/// <summary>
/// Live counters of a crawl, written with <see cref="Interlocked"/> by the engine and read
/// without locks by progress reporters and the summary.
/// </summary>
public sealed class CrawlStats
{
    private long pages;
    private long errors;
    private long bytes;
    private long retries;
    private long disallowed;
    private long outOfScope;
    private long inFlight;
    private long queued;

    /// <summary>Records written.</summary>
    public long Pages => Interlocked.Read(ref pages);

    /// <summary>Records with an error (no HTTP response).</summary>
    public long Errors => Interlocked.Read(ref errors);

    /// <summary>Body bytes received.</summary>
    public long Bytes => Interlocked.Read(ref bytes);

    /// <summary>Attempts beyond the first, over all URLs.</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>URLs not requested because robots.txt disallows them.</summary>
    public long Disallowed => Interlocked.Read(ref disallowed);

    /// <summary>Links not followed: out of scope, excluded, or over the query-variant cap.</summary>
    public long OutOfScope => Interlocked.Read(ref outOfScope);

    /// <summary>Requests in flight now.</summary>
    public long InFlight => Interlocked.Read(ref inFlight);

    /// <summary>Requests waiting in the scheduler now (the frontier may hold more).</summary>
    public long Queued => Interlocked.Read(ref queued);

    /// <summary>The crawl was stopped (Ctrl+C, SIGTERM, --deadline) before it ran out of URLs.</summary>
    public bool Stopped { get; private set; }

    internal void RecordResult(CrawlResult result)
    {
        Interlocked.Increment(ref pages);
        Interlocked.Add(ref bytes, result.Bytes);
        if (result.Error is not null)
        {
            Interlocked.Increment(ref errors);
        }
        if (result.Attempts > 1 + result.Redirects)
        {
            Interlocked.Add(ref retries, result.Attempts - 1 - result.Redirects);
        }
    }

    internal void AddDisallowed() => Interlocked.Increment(ref disallowed);

    internal void SetOutOfScope(long value) => Interlocked.Exchange(ref outOfScope, value);

    internal void SetInFlight(long value) => Interlocked.Exchange(ref inFlight, value);

    internal void SetQueued(long value) => Interlocked.Exchange(ref queued, value);

    internal void MarkStopped() => Stopped = true;

    // Circuit breakers: how often each host was paused.
    private readonly ConcurrentDictionary<string, long> breakerOpenings = new(StringComparer.OrdinalIgnoreCase);
    private long breakerOpeningsTotal;
    private long held;

    /// <summary>Times a host's circuit breaker opened (the host was paused), over all hosts.</summary>
    public long BreakerOpenings => Interlocked.Read(ref breakerOpeningsTotal);

    /// <summary>Breaker openings per host (scheme://host:port), for hosts whose circuit opened at least once.</summary>
    public IReadOnlyDictionary<string, long> BreakerOpeningsByHost => new Dictionary<string, long>(breakerOpenings, StringComparer.OrdinalIgnoreCase);

    /// <summary>Times a URL was held back, not failed, because its host's circuit was open.</summary>
    public long HeldByBreaker => Interlocked.Read(ref held);

    internal void AddBreakerOpenings(string hostKey, int count)
    {
        if (count > 0)
        {
            breakerOpenings.AddOrUpdate(hostKey, count, (_, n) => n + count);
            Interlocked.Add(ref breakerOpeningsTotal, count);
        }
    }

    internal void AddHeld() => Interlocked.Increment(ref held);

    // Sitemaps: how many were read, and the URLs they listed.
    private long sitemaps;
    private long sitemapUrls;

    /// <summary>Sitemaps (and sitemap indexes) read.</summary>
    public long Sitemaps => Interlocked.Read(ref sitemaps);

    /// <summary>URLs the sitemaps listed, before scope and dedup.</summary>
    public long SitemapUrls => Interlocked.Read(ref sitemapUrls);

    internal void AddSitemap(long listed)
    {
        Interlocked.Increment(ref sitemaps);
        Interlocked.Add(ref sitemapUrls, listed);
    }

    // The auto-throttle: where each host's pace stands.
    private readonly ConcurrentDictionary<string, HostPace> paces = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Each host's pace (scheme://host:port) as its throttle last set it; empty with --auto-throttle off.</summary>
    public IReadOnlyDictionary<string, HostPace> PaceByHost => new Dictionary<string, HostPace>(paces, StringComparer.OrdinalIgnoreCase);

    internal void SetPace(string hostKey, HostPace pace) => paces[hostKey] = pace;

    // Safe on the open web: slow servers, huge pages, private networks, secrets in URLs.
    private long linksOverCap;

    /// <summary>Link elements not followed because their page had more than --max-links-per-page.</summary>
    public long LinksOverCap => Interlocked.Read(ref linksOverCap);

    internal void AddLinksOverCap(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref linksOverCap, count);
        }
    }

    // Re-crawls: how the pages fetched again compare with the earlier crawl.
    private readonly long[] changes = new long[4];

    /// <summary>True when the crawl is a re-crawl (<c>--recrawl</c>): the summary shows <see cref="Changes"/>.</summary>
    public bool IsRecrawl { get; private set; }

    /// <summary>Pages by how they compare with the earlier crawl: new, changed, unchanged, gone.</summary>
    public long Changes(PageChange change) => Interlocked.Read(ref changes[(int)change]);

    internal void MarkRecrawl() => IsRecrawl = true;

    internal void AddChange(PageChange change) => Interlocked.Increment(ref changes[(int)change]);
}
