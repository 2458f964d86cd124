namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Where a URL stood when an open circuit breaker stopped its retries: what it had spent and what
/// the server last did. The fetcher keeps it while the engine holds the URL back, and picks it up when
/// the URL is tried again, so the retry budget, the total timeout and the record carry across the pause.
/// </summary>
/// <param name="Attempts">Requests sent so far.</param>
/// <param name="Elapsed">Time spent in those attempts (not in the pause).</param>
/// <param name="Deadline">When the URL's --total-timeout runs out, counted from its first attempt.</param>
/// <param name="LastStatus">The status of the last response, if the last attempt got one.</param>
/// <param name="LastContentType">Its Content-Type.</param>
/// <param name="LastError">Why the last attempt failed, if it got no response.</param>
internal sealed record HeldFetch(int Attempts, TimeSpan Elapsed, DateTimeOffset Deadline, int? LastStatus, string? LastContentType, string? LastError)
{
    /// <summary>How each attempt so far ended, in order (<see cref="AttemptCounter.Outcomes"/>).</summary>
    public IReadOnlyList<string> Outcomes { get; init; } = [];
}
