namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// A mutable count carried in a request's options; the resilience pipeline copies the reference to every attempt.
/// It also notes whether one of those attempts opened the host's circuit, for the crawl's stats.
/// </summary>
internal sealed class AttemptCounter
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("asyncfetch.attempts");

    private int count;
    private int circuitOpenings;

    public int Count => Volatile.Read(ref count);

    public int CircuitOpenings => Volatile.Read(ref circuitOpenings);

    public void Increment() => Interlocked.Increment(ref count);

    public void CircuitOpened() => Interlocked.Increment(ref circuitOpenings);
}
