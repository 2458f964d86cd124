namespace AsyncFetcher.Core.Model;

/// <summary>Where a host's throttle (<c>--auto-throttle</c>) stands: requests in flight at once, the delay between them, and how often it backed off.</summary>
/// <param name="Concurrency">Requests the host may have in flight.</param>
/// <param name="Delay">The least time between two requests to the host that the throttle adds (--delay and Crawl-delay apply besides).</param>
/// <param name="Backoffs">Times the host answered 429 or 503, or slowed down, and the throttle backed off.</param>
public sealed record HostPace(int Concurrency, TimeSpan Delay, int Backoffs);
