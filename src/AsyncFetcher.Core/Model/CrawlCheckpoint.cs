namespace AsyncFetcher.Core.Model;

/// <summary>
/// What a resumed crawl needs besides the URLs, saved with every completed page in the same step:
/// the pages fetched so far (they count against --max-pages across runs), and which output file
/// the records went to and its length after the last saved page (a resume cuts the file back to it).
/// </summary>
/// <param name="Pages">Pages fetched and saved, over every run on this state.</param>
/// <param name="Output">The full path of the output file; null for standard output or before any record.</param>
/// <param name="OutputLength">The output file's length in bytes right after the last saved page's record.</param>
public sealed record CrawlCheckpoint(long Pages, string? Output, long OutputLength)
{
    /// <summary>The full path of the WARC file written to (<c>--warc</c>, the current one of a series); null without one.</summary>
    public string? Warc { get; init; }

    /// <summary>That file's length in bytes right after the last saved page's records.</summary>
    public long WarcLength { get; init; }

    /// <summary>A crawl that has saved nothing yet.</summary>
    public static CrawlCheckpoint Empty { get; } = new(0, null, 0);
}
