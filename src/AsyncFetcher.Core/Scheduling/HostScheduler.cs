using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// Picks the next request whose host may go now: robots.txt known, fewer than the per-host
/// limit in flight (or the fewer its throttle allows), and the host's interval since its last answer
/// passed. Hosts take turns, so one large site does not starve the others. Single-threaded: only the
/// engine's loop calls it.
/// </summary>
/// <remarks>
/// The interval (--delay, Crawl-delay, the throttle's delay) must hold as the server sees it, and the
/// crawler cannot see when the server reads a request: only that it had read it by the time its answer
/// began. So a host with an interval has one request out at a time, and the next one may leave an
/// interval after the previous answer began (robots.txt's included); timed from the dispatch, a request
/// that waited for a worker or a connection would come closer than the interval after one that did not.
/// The server's own time on the previous request is the margin.
/// </remarks>
internal sealed class HostScheduler(CrawlOptions options)
{
    private readonly Dictionary<string, HostState> hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HostState> order = [];
    private int next;

    /// <summary>Requests held here, waiting for their host.</summary>
    public int Queued { get; private set; }

    /// <summary>Queues <paramref name="request"/> behind its host's others; true when the host had none waiting.</summary>
    public bool Enqueue(CrawlRequest request)
    {
        if (!hosts.TryGetValue(request.HostKey, out var host))
        {
            var throttle = options.AutoThrottle ? new HostThrottle(options.EffectiveMaxPerHost, options.MaxCrawlDelay) : null;
            host = new HostState(request.HostKey, throttle) { Interval = options.Delay };
            if (!options.Robots)
            {
                host.Robots = RobotsTxt.AllowAll;
            }
            hosts.Add(host.Key, host);
            order.Add(host);
        }
        host.Pending.Enqueue(request);
        Queued++;
        return host.Pending.Count == 1;
    }

    public HostState Host(string key) => hosts[key];

    /// <summary>Whether a request for the host waits here.</summary>
    public bool HasWaiting(string hostKey) => hosts.TryGetValue(hostKey, out var host) && host.Pending.Count > 0;

    /// <summary>
    /// The next thing to do at <paramref name="now"/>: a page or robots.txt fetch to dispatch, or
    /// nothing, with the time the earliest waiting host may go (null when only in-flight work can unblock).
    /// </summary>
    public Decision Next(DateTimeOffset now)
    {
        DateTimeOffset? due = null;
        for (var i = 0; i < order.Count; i++)
        {
            var host = order[(next + i) % order.Count];
            if (host.Pending.Count == 0 || host.InFlight >= Limit(host) || host.Blocked)
            {
                continue;
            }
            if (host.Robots is null)
            {
                if (host.RobotsRequested)
                {
                    continue;
                }
                host.RobotsRequested = true;
                host.InFlight++;
                next = (next + i + 1) % order.Count;
                return Decision.FetchRobots(host.Pending.Peek());
            }
            if (host.NextAllowed > now)
            {
                due = due is null || host.NextAllowed < due ? host.NextAllowed : due;
                continue;
            }
            var request = host.Pending.Dequeue();
            Queued--;
            next = (next + i + 1) % order.Count;
            if (!host.Robots.IsAllowed(request.Url.PathAndQuery))
            {
                return Decision.Disallowed(request);
            }
            host.InFlight++;
            host.Throttle?.Sent(host.InFlight);
            return Decision.Fetch(request);
        }
        return Decision.Wait(due);
    }

    /// <summary>Puts a request back (its host's circuit breaker is open) and pauses the host until <paramref name="until"/>.</summary>
    public void Hold(CrawlRequest request, DateTimeOffset until)
    {
        var host = hosts[request.HostKey];
        host.Pending.Enqueue(request);
        Queued++;
        if (until > host.NextAllowed)
        {
            host.NextAllowed = until;
        }
    }

    /// <summary>
    /// Undoes a fetch decision the host gate turned away: the request waits again (at the back of its host's
    /// queue), and the host is skipped until <see cref="Unblock"/>. The gate now keeps the host's interval.
    /// </summary>
    public void Deny(Decision decision)
    {
        var request = decision.Request!;
        var host = hosts[request.HostKey];
        host.InFlight--;
        host.Blocked = true;
        if (decision.Kind == DecisionKind.FetchRobots)
        {
            host.RobotsRequested = false;
            return;
        }
        host.Pending.Enqueue(request);
        host.NextAllowed = DateTimeOffset.MinValue;
        Queued++;
    }

    /// <summary>The host gate says the host may be asked again.</summary>
    public void Unblock(string hostKey) => hosts[hostKey].Blocked = false;

    /// <summary>A fetch to the host was cancelled, or never sent (its circuit was open): its slot is free.</summary>
    public void Release(string hostKey) => hosts[hostKey].InFlight--;

    /// <summary>
    /// A page fetch to the host came back: its slot is free, and the host's throttle hears how it went.
    /// True when the throttle changed the host's limit or delay.
    /// </summary>
    /// <param name="latency">The fetch's time when it took one attempt; null when retries' waits are in it or no answer came.</param>
    /// <param name="throttled">An attempt was answered 429 or 503.</param>
    /// <param name="answered">When its last answer began to arrive, or its last attempt failed without one; null when nothing was sent.</param>
    public bool Completed(string hostKey, TimeSpan? latency, bool throttled, DateTimeOffset now, DateTimeOffset? answered)
    {
        var host = hosts[hostKey];
        var inFlight = host.InFlight--;
        var changed = host.Throttle?.Observe(now, inFlight, latency, throttled) ?? false;
        Space(host, answered);
        return changed;
    }

    /// <summary>
    /// robots.txt for the host arrived; <paramref name="unavailable"/> says why it could not be had, if so.
    /// <paramref name="answered"/>: when its answer began (null when nothing was sent); the host's first page waits an interval after it.
    /// </summary>
    public void SetRobots(string hostKey, RobotsTxt robots, string? unavailable, DateTimeOffset? answered)
    {
        var host = hosts[hostKey];
        host.Robots = robots;
        host.Unavailable = unavailable;
        host.InFlight--;
        if (robots.CrawlDelay is { } crawlDelay)
        {
            var capped = crawlDelay < options.MaxCrawlDelay ? crawlDelay : options.MaxCrawlDelay;
            host.Interval = capped > options.Delay ? capped : options.Delay;
        }
        Space(host, answered);
    }

    /// <summary>The host's next request waits its interval after <paramref name="answered"/>, the moment the server had surely read the last one.</summary>
    private static void Space(HostState host, DateTimeOffset? answered)
    {
        if (answered is { } at && host.Pace is var pace && pace > TimeSpan.Zero && at + pace > host.NextAllowed)
        {
            host.NextAllowed = at + pace;
        }
    }

    /// <summary>
    /// The requests the host may have in flight: one while it has an interval (the next may only leave an interval
    /// after the last one's answer), else --max-per-host, or fewer while its throttle holds it back.
    /// </summary>
    private int Limit(HostState host) =>
        host.Pace > TimeSpan.Zero ? 1
        : host.Throttle is { Limit: var limit } && limit < options.EffectiveMaxPerHost ? limit : options.EffectiveMaxPerHost;

    /// <summary>Drops every waiting request (the crawl is stopping or hit its page cap) and returns them.</summary>
    public List<CrawlRequest> DrainAll()
    {
        var all = new List<CrawlRequest>(Queued);
        foreach (var host in order)
        {
            all.AddRange(host.Pending);
            host.Pending.Clear();
        }
        Queued = 0;
        return all;
    }

    internal readonly record struct Decision(DecisionKind Kind, CrawlRequest? Request, DateTimeOffset? Due)
    {
        public static Decision Fetch(CrawlRequest request) => new(DecisionKind.Fetch, request, null);

        public static Decision FetchRobots(CrawlRequest forRequest) => new(DecisionKind.FetchRobots, forRequest, null);

        public static Decision Disallowed(CrawlRequest request) => new(DecisionKind.Disallowed, request, null);

        public static Decision Wait(DateTimeOffset? due) => new(DecisionKind.Wait, null, due);
    }

    internal enum DecisionKind
    {
        Fetch,
        FetchRobots,
        Disallowed,
        Wait,
    }
}
