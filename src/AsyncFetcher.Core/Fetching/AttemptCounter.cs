namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// A mutable count carried in a request's options; the resilience pipeline copies the reference to every attempt.
/// It also notes whether one of those attempts opened the host's circuit, for the crawl's stats, and how many
/// were answered 429 or 503, which the host's throttle hears even when a retry then succeeded.
/// </summary>
internal sealed class AttemptCounter
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("asyncfetch.attempts");

    private int count;
    private int circuitOpenings;
    private int throttled;

    public int Count => Volatile.Read(ref count);

    public int CircuitOpenings => Volatile.Read(ref circuitOpenings);

    /// <summary>Attempts the server answered 429 Too Many Requests or 503 Service Unavailable: it asked us to slow down.</summary>
    public int Throttled => Volatile.Read(ref throttled);

    public void Increment() => Interlocked.Increment(ref count);

    public void CircuitOpened() => Interlocked.Increment(ref circuitOpenings);

    /// <summary>Notes an attempt's status: a 429 or a 503 counts as the server asking us to slow down.</summary>
    public void Answered(int status)
    {
        if (status is 429 or 503)
        {
            Interlocked.Increment(ref throttled);
        }
    }
}
