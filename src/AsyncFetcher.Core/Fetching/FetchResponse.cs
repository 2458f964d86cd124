namespace AsyncFetcher.Core.Fetching;

/// <summary>The outcome of one HTTP exchange, resilience included; errors are values, not exceptions.</summary>
internal sealed record FetchResponse
{
    public int? Status { get; init; }

    public string? ContentType { get; init; }

    public string? Charset { get; init; }

    public Uri? Location { get; init; }

    /// <summary>
    /// The body, kept only for HTML (up to the body limit); empty otherwise. A page's is lent
    /// (<see cref="PageBuffers"/>): whoever reads its links gives it back (<see cref="Fetcher.GiveBack"/>), and nothing reads it after.
    /// </summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary><see cref="Body"/> is lent (<see cref="PageBuffers"/>) and must be given back (<see cref="Fetcher.GiveBack"/>).</summary>
    public bool Lent { get; init; }

    public long Bytes { get; init; }

    public bool Truncated { get; init; }

    public int Attempts { get; init; }

    /// <summary>Why each retry was made: how every attempt but the last ended ("503", "timeout").</summary>
    public IReadOnlyList<string> Retries { get; init; } = [];

    public TimeSpan Elapsed { get; init; }

    /// <summary>
    /// When the last attempt's answer began to arrive, or it failed without one: by then the server had surely read
    /// the request, so the host's interval is timed from here. Null when no request was sent.
    /// </summary>
    public DateTimeOffset? Answered { get; init; }

    public string? Error { get; init; }

    public bool IsHtml { get; init; }

    /// <summary>Set when the host's circuit was open and no request was sent: the URL should wait until then, not be recorded as failed.</summary>
    public DateTimeOffset? HoldUntil { get; init; }

    /// <summary>How many times this fetch's failures opened its host's circuit (0 or 1 in practice).</summary>
    public int CircuitOpenings { get; init; }

    /// <summary>The response's ETag and Last-Modified, as sent (a re-crawl sends them back).</summary>
    public string? ETag { get; init; }

    public string? LastModified { get; init; }

    /// <summary>SHA-1 of the body as read, in hex, with --state; null otherwise.</summary>
    public string? BodyHash { get; init; }

    /// <summary>With --warc, the exchange as it went over the wire; whoever ends up with the response writes or disposes it.</summary>
    public Output.Warc.HttpCapture? Capture { get; init; }

    /// <summary>Attempts answered 429 or 503, retried or not: the host asked us to slow down.</summary>
    public int Throttled { get; init; }

    public bool IsRedirect => Status is 301 or 302 or 303 or 307 or 308 && Location is not null;
}
