using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>
/// Starts the capture of each HTTP attempt when the crawl writes a WARC (<c>--warc</c>); without
/// one it is off, and the fetch path does not capture anything. Spooled bodies go to the WARC's own
/// directory (<see cref="Spool"/>): the same disk, not a /tmp that may be memory.
/// </summary>
internal sealed class HttpCaptures(IOptions<CrawlOptions> options, TimeProvider time)
{
    private readonly string? directory = string.IsNullOrEmpty(options.Value.Warc) ? null : Path.GetDirectoryName(Path.GetFullPath(options.Value.Warc));

    /// <summary>True when --warc is set.</summary>
    public bool Enabled => directory is not null;

    /// <summary>A new capture of an attempt at <paramref name="target"/>, dated now.</summary>
    public HttpCapture Begin(Uri target) => new(target, time.GetUtcNow(), directory ?? Path.GetTempPath());
}
