namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// One fetch's running account, carried in its request's options; the resilience pipeline copies the
/// reference to every attempt. It counts the attempts, remembers the last real outcome (so a URL that
/// an open circuit stops is recorded with what the server last did, never "circuit open" in its place)
/// and knows the fetch's share of its URL's retry budget and total time (a URL held back by a breaker
/// and tried again later gets only what it had left). It also counts the attempts answered 429 or 503,
/// which the host's throttle hears even when a retry then succeeded.
/// </summary>
internal sealed class AttemptCounter(int carried, int allowed, TimeSpan budget)
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("asyncfetch.attempts");

    private int count;
    private int circuitOpenings;
    private int throttled;

    /// <summary>Attempts made by this fetch.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>Attempts made for the URL before this fetch (before a breaker held it back).</summary>
    public int Carried { get; } = carried;

    /// <summary>Attempts the URL may make in all: --retries + 1.</summary>
    public int Allowed { get; } = allowed;

    /// <summary>The time left in the URL's budget (--total-timeout) when this fetch began.</summary>
    public TimeSpan Budget { get; } = budget;

    /// <summary>True while the URL may make another attempt.</summary>
    public bool MayRetry => Carried + Count < Allowed;

    public int CircuitOpenings => Volatile.Read(ref circuitOpenings);

    /// <summary>Attempts the server answered 429 Too Many Requests or 503 Service Unavailable: it asked us to slow down.</summary>
    public int Throttled => Volatile.Read(ref throttled);

    /// <summary>The status of the last response an attempt got, if the last attempt got one.</summary>
    public int? LastStatus { get; private set; }

    public string? LastContentType { get; private set; }

    /// <summary>Why the last attempt failed, if it got no response.</summary>
    public string? LastError { get; private set; }

    public void Increment() => Interlocked.Increment(ref count);

    public void CircuitOpened() => Interlocked.Increment(ref circuitOpenings);

    public void Responded(int status, string? contentType)
    {
        if (status is 429 or 503)
        {
            Interlocked.Increment(ref throttled);
        }
        LastStatus = status;
        LastContentType = contentType;
        LastError = null;
    }

    public void Failed(string error)
    {
        LastStatus = null;
        LastContentType = null;
        LastError = error;
    }
}
