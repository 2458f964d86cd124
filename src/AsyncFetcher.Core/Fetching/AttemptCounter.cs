namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// One fetch's running account, carried in its request's options; the resilience pipeline copies the
/// reference to every attempt. It counts the attempts, remembers the last real outcome (so a URL that
/// an open circuit stops is recorded with what the server last did, never "circuit open" in its place)
/// and knows the fetch's share of its URL's retry budget and total time (a URL held back by a breaker
/// and tried again later gets only what it had left). It notes how each attempt ended, so a record can
/// say why it was retried, and counts the attempts answered 429 or 503, which the host's throttle hears
/// even when a retry then succeeded; and it notes when the last attempt was answered, which the host's
/// interval is timed from (a retry waits it too).
/// </summary>
/// <param name="pace">The host's interval between an answer and the next request to it (--delay, Crawl-delay); zero when none.</param>
internal sealed class AttemptCounter(int carried, int allowed, TimeSpan budget, TimeSpan pace)
{
    public static readonly HttpRequestOptionsKey<AttemptCounter> Key = new("asyncfetch.attempts");

    /// <summary>How each attempt of this fetch ended ("503", "timeout"), in order; attempts of one fetch never overlap.</summary>
    private readonly List<string> outcomes = [];
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

    /// <summary>The host's interval: a retry leaves no sooner than this after the last attempt's answer began.</summary>
    public TimeSpan Pace { get; } = pace;

    /// <summary>
    /// When the last attempt's answer began to arrive, or it failed without one (a <see cref="TimeProvider"/>
    /// timestamp): the server had surely read the request by then. Null before the first attempt ended.
    /// </summary>
    public long? LastAnswered { get; private set; }

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

    /// <summary>How each attempt of this fetch ended, in order.</summary>
    public IReadOnlyList<string> Outcomes
    {
        get
        {
            lock (outcomes)
            {
                return [.. outcomes];
            }
        }
    }

    public void Increment() => Interlocked.Increment(ref count);

    public void CircuitOpened() => Interlocked.Increment(ref circuitOpenings);

    /// <param name="answered">When the answer began to arrive (a timestamp).</param>
    public void Responded(int status, string? contentType, long answered)
    {
        LastAnswered = answered;
        if (status is 429 or 503)
        {
            Interlocked.Increment(ref throttled);
        }
        LastStatus = status;
        LastContentType = contentType;
        LastError = null;
        Ended(status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Why each retry was made, <paramref name="before"/> the fetch included: how every attempt but the last ended.</summary>
    public IReadOnlyList<string> Retried(IReadOnlyList<string>? before)
    {
        IReadOnlyList<string> all = before is { Count: > 0 } ? [.. before, .. Outcomes] : Outcomes;
        return all.Count <= 1 ? [] : all.Take(all.Count - 1).ToList();
    }

    /// <param name="ended">When the answer began to arrive, if one did, else when the attempt failed (a timestamp).</param>
    public void Failed(string error, long ended)
    {
        LastAnswered = ended;
        LastStatus = null;
        LastContentType = null;
        LastError = error;
        Ended(error);
    }

    private void Ended(string outcome)
    {
        lock (outcomes)
        {
            outcomes.Add(outcome);
        }
    }
}
