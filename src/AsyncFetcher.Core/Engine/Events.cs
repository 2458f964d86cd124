using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

// The engine's messages, in one file because they are read together: jobs go from the scheduler loop
// to the workers on the bounded work channel; events come back to the loop on the unbounded events
// channel, from the workers, the timers, the frontier watch and the consumer. Each is a small record
// that only carries values, made once and read once.

/// <summary>What a job asks a worker to fetch.</summary>
internal enum JobKind
{
    Page,
    Robots,

    /// <summary>A page known (or, for a seed, guessed by its name) to be a sitemap: its body is kept and read as one.</summary>
    Sitemap,
}

/// <summary>One fetch handed to a worker by the scheduler loop.</summary>
/// <param name="LastForHost">No other URL of the host was queued (held by the engine or known to the frontier) when this one was dispatched.</param>
/// <param name="Pace">The host's interval (--delay, Crawl-delay): a retry of this fetch waits it after the last answer.</param>
internal sealed record Job(JobKind Kind, CrawlRequest Request, bool LastForHost = false, TimeSpan Pace = default);

/// <summary>Something the scheduler loop must hear of; posted with <c>TryWrite</c>, which never waits, and read by the loop alone.</summary>
internal abstract record Event;

/// <summary>A worker fetched a page (<see cref="FetchResponse.HoldUntil"/> set: its host's circuit refused it), with the links found on it.</summary>
internal sealed record PageEvent(CrawlRequest Request, FetchResponse Response, PageLinks? Links) : Event
{
    /// <summary>For a sitemap job answered 2xx: what reading the body as a sitemap found.</summary>
    public Sitemap? Sitemap { get; init; }
}

/// <summary>
/// A worker fetched a host's robots.txt for <paramref name="Request"/> (the host's first request, its URL
/// made the robots.txt one): the rules, or why they could not be had, and what the fetch cost.
/// </summary>
internal sealed record RobotsEvent(CrawlRequest Request, RobotsAnswer Answer) : Event
{
    public string HostKey => Request.HostKey;

    public RobotsTxt Robots => Answer.Robots;

    /// <summary>Why robots.txt could not be had, if so.</summary>
    public string? Unavailable => Answer.Unavailable;

    /// <summary>With --warc, the exchanges of the fetch, to be archived.</summary>
    public IReadOnlyList<Output.Warc.HttpCapture> Captures => Answer.Captures;
}

/// <summary>A worker's fetch was cancelled (the grace period ended, or the run was aborted): its job goes back.</summary>
internal sealed record CancelledEvent(Job Job) : Event;

/// <summary>A graceful stop: Ctrl+C or SIGTERM (no reason), or the deadline.</summary>
internal sealed record StopEvent(string? Reason) : Event;

/// <summary>The consumer stopped reading records: stop at once.</summary>
internal sealed record AbortEvent : Event;

/// <summary>The consumer handled the oldest record not yet acknowledged; the output's length after it, with a file, and the WARC's, with one.</summary>
internal sealed record AckEvent(long? OutputLength, string? Warc = null, long WarcLength = 0) : Event;

/// <summary>The grace period after a stop is over: cancel what is still in flight.</summary>
internal sealed record GraceOverEvent : Event;

/// <summary>The frontier, dry here, has word: more work may be taken (false), or the crawl is over everywhere (true).</summary>
internal sealed record FrontierEvent(bool Finished) : Event;

/// <summary>The host gate says a host it turned away may be asked again.</summary>
internal sealed record HostReadyEvent(string HostKey) : Event;
