namespace AsyncFetcher.Loopback;

/// <summary>Counts what is inside a region now and the most that were inside at once; thread-safe without locks.</summary>
public sealed class InFlightGauge
{
    private int current;
    private int peak;

    public int Current => Volatile.Read(ref current);

    public int Peak => Volatile.Read(ref peak);

    public void Enter()
    {
        var now = Interlocked.Increment(ref current);
        int seen;
        while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
    }

    public void Leave() => Interlocked.Decrement(ref current);

    /// <summary>Starts a new peak from what is inside now.</summary>
    public void ResetPeak() => Volatile.Write(ref peak, Current);
}
