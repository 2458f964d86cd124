namespace AsyncFetcher.Core.Scheduling;

/// <summary>What fetching a host's robots.txt came to.</summary>
/// <param name="Robots">The rules that apply to us.</param>
/// <param name="Unavailable">Why robots.txt could not be had (a 5xx or no answer), which also stops the host being crawled; null otherwise.</param>
/// <param name="CircuitOpenings">How often the fetches opened a host's circuit breaker.</param>
/// <param name="Captures">With --warc, the exchanges of the fetches (redirects included), to be archived; empty otherwise.</param>
internal readonly record struct RobotsAnswer(RobotsTxt Robots, string? Unavailable, int CircuitOpenings, IReadOnlyList<Output.Warc.HttpCapture> Captures);
