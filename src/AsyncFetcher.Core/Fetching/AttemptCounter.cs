namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// A mutable count carried in a request's options; the resilience pipeline copies the reference to every attempt.
/// It also notes how each attempt ended, so a record can say why it was retried, and whether one of those
/// attempts opened the host's circuit, for the crawl's stats.
/// </summary>
internal sealed class AttemptCounter
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("asyncfetch.attempts");

    /// <summary>How each attempt ended ("503", "timeout", "connection reset"), in order; attempts of one request never overlap.</summary>
    private readonly List<string> outcomes = [];
    private int count;
    private int circuitOpenings;

    public int Count => Volatile.Read(ref count);

    public int CircuitOpenings => Volatile.Read(ref circuitOpenings);

    /// <summary>Why each retry was made: how every attempt but the last ended.</summary>
    public IReadOnlyList<string> Retried
    {
        get
        {
            lock (outcomes)
            {
                return outcomes.Count <= 1 ? [] : outcomes[..^1];
            }
        }
    }

    public void Increment() => Interlocked.Increment(ref count);

    /// <summary>Notes how an attempt ended: its status, or the error it failed with.</summary>
    public void Ended(string outcome)
    {
        lock (outcomes)
        {
            outcomes.Add(outcome);
        }
    }

    public void CircuitOpened() => Interlocked.Increment(ref circuitOpenings);
}
