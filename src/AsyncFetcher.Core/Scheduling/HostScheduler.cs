using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// Picks the next request whose host may go now: robots.txt known, fewer than the per-host
/// limit in flight (or the fewer its throttle allows), and the host's interval since its last request
/// passed. Hosts take turns, so one large site does not starve the others. Single-threaded: only the
/// engine's loop calls it.
/// </summary>
internal sealed class HostScheduler(CrawlOptions options)
{
    private readonly Dictionary<string, HostState> hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<HostState> order = [];
    private int next;

    /// <summary>Requests held here, waiting for their host.</summary>
    public int Queued { get; private set; }

    public void Enqueue(CrawlRequest request)
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
    }

    public HostState Host(string key) => hosts[key];

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
            if (host.Pace is var pace && pace > TimeSpan.Zero)
            {
                host.NextAllowed = now + pace;
            }
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
    public bool Completed(string hostKey, TimeSpan? latency, bool throttled, DateTimeOffset now)
    {
        var host = hosts[hostKey];
        var inFlight = host.InFlight--;
        return host.Throttle?.Observe(now, inFlight, latency, throttled) ?? false;
    }

    /// <summary>robots.txt for the host arrived; <paramref name="unavailable"/> says why it could not be had, if so.</summary>
    public void SetRobots(string hostKey, RobotsTxt robots, string? unavailable = null)
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
    }

    /// <summary>The requests the host may have in flight: --max-per-host, or fewer while its throttle holds it back.</summary>
    private int Limit(HostState host) =>
        host.Throttle is { Limit: var limit } && limit < options.EffectiveMaxPerHost ? limit : options.EffectiveMaxPerHost;

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
