namespace AsyncFetcher.Core.Model;

/// <summary>
/// What a crawl with a state file knows of a page from its last fetch: the validators a re-crawl
/// sends back (If-None-Match, If-Modified-Since), the hash it compares a new body with, and where
/// the content was archived, for the WARC revisit record of a 304.
/// </summary>
public sealed record PageVersion
{
    /// <summary>The status of the last response.</summary>
    public int? Status { get; init; }

    /// <summary>The ETag of the last response, as sent.</summary>
    public string? ETag { get; init; }

    /// <summary>The Last-Modified of the last response, as sent.</summary>
    public string? LastModified { get; init; }

    /// <summary>SHA-1 of the body as read (decoded, up to --max-body), in hex; null when no body was read.</summary>
    public string? BodyHash { get; init; }

    /// <summary>When the page was last fetched, or confirmed unchanged: what --recrawl-after measures.</summary>
    public DateTimeOffset FetchedAt { get; init; }

    /// <summary>When the content was last archived in full (the WARC-Date of its response record); null without a WARC.</summary>
    public DateTimeOffset? CapturedAt { get; init; }

    /// <summary>The WARC-Record-ID of that response record.</summary>
    public string? RecordId { get; init; }

    /// <summary>Its WARC-Payload-Digest.</summary>
    public string? PayloadDigest { get; init; }
}
