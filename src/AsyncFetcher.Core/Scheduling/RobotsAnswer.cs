namespace AsyncFetcher.Core.Scheduling;

/// <summary>What fetching a host's robots.txt came to.</summary>
/// <param name="Robots">The rules that apply to us.</param>
/// <param name="Unavailable">Why robots.txt could not be had (a 5xx or no answer), which also stops the host being crawled; null otherwise.</param>
/// <param name="CircuitOpenings">How often the fetches opened a host's circuit breaker.</param>
/// <param name="Captures">With --warc, the exchanges of the fetches (redirects included), to be archived; empty otherwise.</param>
/// <param name="Attempts">HTTP requests the fetch made, retries and redirect hops included.</param>
/// <param name="Elapsed">How long the fetch took, all attempts and waits included.</param>
/// <param name="Text">The robots.txt the rules were read from, when one was; what <see cref="Share"/> passes on.</param>
/// <param name="Answered">When the last answer began to arrive (or the last fetch failed without one); null when nothing was sent.</param>
internal readonly record struct RobotsAnswer(RobotsTxt Robots, string? Unavailable, int CircuitOpenings, IReadOnlyList<Output.Warc.HttpCapture> Captures, int Attempts = 0, TimeSpan Elapsed = default, string? Text = null, DateTimeOffset? Answered = null)
{
    /// <summary>The answer as one string, for the other processes of a crawl (<see cref="IHostGate.ShareRobotsAsync"/>): what a robots.txt said, not what it cost.</summary>
    public string Share() => (Unavailable, Text) switch
    {
        ({ } reason, _) => "unavailable\t" + reason,
        (_, { } text) => "rules\t" + text,
        _ => "allow",
    };

    /// <summary>An answer another process shared (<see cref="Share"/>), read for <paramref name="userAgentToken"/>.</summary>
    public static RobotsAnswer FromShared(string shared, string userAgentToken)
    {
        ArgumentNullException.ThrowIfNull(shared);
        var tab = shared.IndexOf('\t', StringComparison.Ordinal);
        var rest = tab < 0 ? "" : shared[(tab + 1)..];
        return (tab < 0 ? shared : shared[..tab]) switch
        {
            "unavailable" => new RobotsAnswer(RobotsTxt.DisallowAll, rest, 0, []),
            "rules" => new RobotsAnswer(RobotsTxt.Parse(rest, userAgentToken), null, 0, [], Text: rest),
            _ => new RobotsAnswer(RobotsTxt.AllowAll, null, 0, []),
        };
    }
}
