using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output.Warc;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// What the engine hands its consumer: a URL's record and, with --warc, the exchanges to archive with
/// it (its redirect hops, then its last response). A robots.txt fetch has exchanges and no record.
/// The consumer acknowledges each one, record or not, so the checkpoint saved covers what it wrote.
/// </summary>
/// <param name="Result">The record; null for exchanges that belong to no record (robots.txt).</param>
/// <param name="Captures">The exchanges, in the order they happened; empty without --warc.</param>
internal sealed record CrawlRecord(CrawlResult? Result, IReadOnlyList<HttpCapture> Captures) : IDisposable
{
    /// <summary>Releases the spooled exchanges (after they were written, or when nobody will write them).</summary>
    public void Dispose()
    {
        foreach (var capture in Captures)
        {
            capture.Dispose();
        }
    }
}
