namespace AsyncFetcher.Core.Fetching;

/// <summary>A mutable count carried in a request's options; the resilience pipeline copies the reference to every attempt.</summary>
internal sealed class AttemptCounter
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("asyncfetch.attempts");

    private int count;

    public int Count => Volatile.Read(ref count);

    public void Increment() => Interlocked.Increment(ref count);
}
