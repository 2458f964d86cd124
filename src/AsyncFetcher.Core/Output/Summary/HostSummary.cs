namespace AsyncFetcher.Core.Output.Summary;

/// <summary>One host's share of the crawl: pages, failures, bytes and latency.</summary>
public sealed record HostSummary
{
    /// <summary>Host, with the port when it is not the scheme's default.</summary>
    public required string Host { get; init; }

    /// <summary>Records for URLs on this host.</summary>
    public long Pages { get; init; }

    /// <summary>Records with an error (no HTTP response).</summary>
    public long Errors { get; init; }

    /// <summary>Records with a 4xx or 5xx status.</summary>
    public long Failed { get; init; }

    /// <summary>Body bytes received.</summary>
    public long Bytes { get; init; }

    /// <summary>Mean time per URL that was requested, in milliseconds.</summary>
    public double MeanMs { get; init; }

    /// <summary>The slowest URL's time, in milliseconds.</summary>
    public long MaxMs { get; init; }

    /// <summary>The requests in flight at once the auto-throttle settled on for the host; null with it off, or from a records file.</summary>
    public int? Concurrency { get; init; }

    /// <summary>The delay between requests, in milliseconds, the auto-throttle settled on (--delay and Crawl-delay apply besides); null as <see cref="Concurrency"/>.</summary>
    public long? DelayMs { get; init; }

    /// <summary>Times the auto-throttle backed off on the host (a 429 or 503, or latency that doubled); null as <see cref="Concurrency"/>.</summary>
    public int? Backoffs { get; init; }
}
