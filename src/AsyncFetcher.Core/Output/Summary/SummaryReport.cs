namespace AsyncFetcher.Core.Output.Summary;

/// <summary>
/// The end-of-crawl summary: what the text summary prints, what <c>--summary-json</c> writes, and
/// the data the HTML report draws. Built by <see cref="CrawlSummary"/>.
/// </summary>
public sealed record SummaryReport
{
    /// <summary>When the crawl started (estimated from the records when rebuilt from a file).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>How long the crawl ran, in seconds.</summary>
    public double DurationSeconds { get; init; }

    /// <summary>The crawl was stopped before its end (Ctrl+C, SIGTERM); false when rebuilt from a records file, which cannot tell.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Records written: one per URL.</summary>
    public long Pages { get; init; }

    /// <summary>Pages over the duration.</summary>
    public double PagesPerSecond { get; init; }

    /// <summary>Body bytes received.</summary>
    public long Bytes { get; init; }

    /// <summary>Records by status class.</summary>
    public StatusClassCounts StatusClasses { get; init; } = new();

    /// <summary>Every status seen, most frequent first.</summary>
    public IReadOnlyList<StatusCount> Statuses { get; init; } = [];

    /// <summary>The most frequent error reasons, most frequent first.</summary>
    public IReadOnlyList<ErrorCount> Errors { get; init; } = [];

    /// <summary>Records with an error (no HTTP response).</summary>
    public long ErrorCount { get; init; }

    /// <summary>Latency percentiles and histogram.</summary>
    public LatencySummary Latency { get; init; } = new();

    /// <summary>Attempts beyond the first, over all URLs (redirect hops not counted).</summary>
    public long Retries { get; init; }

    /// <summary>Redirects followed.</summary>
    public long Redirects { get; init; }

    /// <summary>Bodies cut at --max-body.</summary>
    public long Truncated { get; init; }

    /// <summary>URLs not fetched because robots.txt disallows them (from a records file: only the seeds, which have a record).</summary>
    public long Disallowed { get; init; }

    /// <summary>Links not followed: out of scope, excluded or over the query-variant cap; null when rebuilt from a records file.</summary>
    public long? OutOfScope { get; init; }

    /// <summary>Link elements not followed because their page had more than --max-links-per-page; null when rebuilt from a records file.</summary>
    public long? LinksOverCap { get; init; }

    /// <summary>Times the circuit breaker paused a host; null when rebuilt from a records file.</summary>
    public long? BreakerPauses { get; init; }

    /// <summary>Times a URL was held back, not failed, because its host was paused; null when rebuilt from a records file.</summary>
    public long? HeldByBreaker { get; init; }

    /// <summary>On a re-crawl, the pages new, changed, unchanged and gone; null otherwise, and when rebuilt from a records file.</summary>
    public RecrawlSummary? Recrawl { get; init; }

    /// <summary>Sitemaps and sitemap indexes read (--sitemaps); null when rebuilt from a records file.</summary>
    public long? Sitemaps { get; init; }

    /// <summary>URLs the sitemaps listed, before scope and dedup; null when rebuilt from a records file.</summary>
    public long? SitemapUrls { get; init; }

    /// <summary>Distinct hosts.</summary>
    public long HostCount { get; init; }

    /// <summary>The hosts with the most pages, at most <see cref="CrawlSummary.MaxHosts"/>.</summary>
    public IReadOnlyList<HostSummary> Hosts { get; init; } = [];

    /// <summary>The hosts with the highest mean latency, slowest first.</summary>
    public IReadOnlyList<HostSummary> SlowestHosts { get; init; } = [];

    /// <summary>Pages completed over time.</summary>
    public TimelineSummary Timeline { get; init; } = new();

    /// <summary>Where the output went.</summary>
    public OutputSummary Output { get; init; } = new();
}
