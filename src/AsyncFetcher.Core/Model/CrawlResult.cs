namespace AsyncFetcher.Core.Model;

/// <summary>What happened to one URL: the record written to the output, one per URL.</summary>
public sealed record CrawlResult
{
    /// <summary>The URL as it was queued (normalised).</summary>
    public required string Url { get; init; }

    /// <summary>The URL of the last response, after redirects.</summary>
    public string? FinalUrl { get; init; }

    /// <summary>The HTTP status of the last response; null when no response came.</summary>
    public int? Status { get; init; }

    /// <summary>The Content-Type header of the last response.</summary>
    public string? ContentType { get; init; }

    /// <summary>Body bytes received (after decompression, up to the body limit).</summary>
    public long Bytes { get; init; }

    /// <summary>Milliseconds from the first request to the end of the body, all attempts and redirects included.</summary>
    public long ElapsedMs { get; init; }

    /// <summary>Links away from the seed.</summary>
    public int Depth { get; init; }

    /// <summary>The page this URL was found on; null for a seed.</summary>
    public string? Parent { get; init; }

    /// <summary>HTTP requests made for this URL, retries and redirect hops included.</summary>
    public int Attempts { get; init; }

    /// <summary>Why each retry was made, in order: how the attempt before it ended ("503", "timeout"); empty when none was.</summary>
    public IReadOnlyList<string> Retries { get; init; } = [];

    /// <summary>Redirects followed.</summary>
    public int Redirects { get; init; }

    /// <summary>The HTML title, if any.</summary>
    public string? Title { get; init; }

    /// <summary>Links found on the page (before scope and dedup); null for a non-HTML response.</summary>
    public int? Links { get; init; }

    /// <summary>True when the body was cut at the size limit.</summary>
    public bool Truncated { get; init; }

    /// <summary>Null on success, else a short reason: timeout, dns, connection refused, ...</summary>
    public string? Error { get; init; }

    /// <summary>When the last response completed.</summary>
    public DateTimeOffset FetchedAt { get; init; }

    /// <summary>What the crawler had to do to the page to keep it, if anything: a charset it could not decode, links over --max-links-per-page. Null otherwise.</summary>
    public string? Note { get; init; }

    /// <summary>
    /// On a re-crawl (<c>--recrawl</c>), whether the page changed since the earlier crawl: false for a 304
    /// or the same body, true for a new body, status or a page gone (404, 410). Null for a page with no
    /// earlier version (new, or a first crawl) and when no response came.
    /// </summary>
    public bool? Changed { get; init; }

    /// <summary>The worker that fetched it, in a crawl shared by several processes (<c>--frontier</c>); null otherwise.</summary>
    public string? Worker { get; init; }
}
