using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>What the scheduler knows of one host: its queue, what is in flight, when it may go next, its robots rules.</summary>
internal sealed class HostState(string key, HostThrottle? throttle)
{
    public string Key { get; } = key;

    public Queue<CrawlRequest> Pending { get; } = new();

    public int InFlight { get; set; }

    public DateTimeOffset NextAllowed { get; set; } = DateTimeOffset.MinValue;

    public RobotsTxt? Robots { get; set; }

    public bool RobotsRequested { get; set; }

    /// <summary>The host gate turned a request away: skip the host until it says to ask again.</summary>
    public bool Blocked { get; set; }

    /// <summary>Why robots.txt could not be had (a network error or a 5xx), which also stops the host being crawled; null otherwise.</summary>
    public string? Unavailable { get; set; }

    /// <summary>What learning that robots.txt is unavailable cost (requests, time): the host's first record carries it, as the URL that waited for it.</summary>
    public (int Attempts, TimeSpan Elapsed) UnavailableCost { get; set; }

    /// <summary>The interval between requests: the larger of --delay and the robots Crawl-delay (capped).</summary>
    public TimeSpan Interval { get; set; }

    /// <summary>The host's adaptive pace (--auto-throttle); null when it is off.</summary>
    public HostThrottle? Throttle { get; } = throttle;

    /// <summary>The time between two requests in force: <see cref="Interval"/>, or the throttle's delay when longer.</summary>
    public TimeSpan Pace => Throttle is { Delay: var delay } && delay > Interval ? delay : Interval;
}
