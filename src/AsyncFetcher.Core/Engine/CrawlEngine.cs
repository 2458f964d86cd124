using System.Runtime.CompilerServices;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// Crawls from seeds and streams one <see cref="CrawlResult"/> per URL as it completes.
/// Each call to <see cref="RunAsync(IEnumerable{Uri}, OutputCursor?, CancellationToken)"/> is one crawl (a <see cref="CrawlRun"/>).
/// </summary>
internal sealed class CrawlEngine(Fetcher fetcher, IFrontier frontier, IHostGate hostGate, IOptions<CrawlOptions> options, TimeProvider time, ILogger<CrawlEngine> logger)
{
    /// <summary>The live counters of the current (or last) crawl.</summary>
    public CrawlStats Stats { get; private set; } = new();

    /// <summary>
    /// Runs the crawl. Cancelling <paramref name="stopToken"/> is a graceful stop: no new requests,
    /// in-flight ones get the grace period, the rest go back to the frontier; the sequence then ends.
    /// </summary>
    public IAsyncEnumerable<CrawlResult> RunAsync(IEnumerable<Uri> seeds, CancellationToken stopToken = default) =>
        RunAsync(seeds, null, stopToken);

    /// <summary>
    /// Runs the crawl, as <see cref="RunAsync(IEnumerable{Uri}, CancellationToken)"/>. A record counts as
    /// handled when the consumer asks for the next one: only then is its page saved as done (with a
    /// state file, on disk), so write and flush each record in the loop body. With
    /// <paramref name="output"/>, the file's length at that moment is saved too, for a resume to cut
    /// back to (<see cref="CrawlCheckpoint"/>).
    /// </summary>
    public async IAsyncEnumerable<CrawlResult> RunAsync(IEnumerable<Uri> seeds, OutputCursor? output, [EnumeratorCancellation] CancellationToken stopToken = default)
    {
        await foreach (var record in RunAsync(seeds, output, null, stopToken).ConfigureAwait(false))
        {
            // Exchanges are archived only by a consumer of the records themselves (CrawlSession, with --warc).
            record.Dispose();
            if (record.Result is { } result)
            {
                yield return result;
            }
        }
    }

    /// <summary>
    /// Runs the crawl, as <see cref="RunAsync(IEnumerable{Uri}, OutputCursor?, CancellationToken)"/>, and hands
    /// on each record with the exchanges to archive with it (and exchanges with no record: robots.txt).
    /// Each is acknowledged when the next is asked for, with the WARC's position from <paramref name="archive"/>.
    /// The consumer disposes each, after writing it.
    /// </summary>
    internal async IAsyncEnumerable<CrawlRecord> RunAsync(IEnumerable<Uri> seeds, OutputCursor? output, ArchiveCursor? archive, [EnumeratorCancellation] CancellationToken stopToken = default)
    {
        Stats = new CrawlStats();
        if (options.Value.Recrawl)
        {
            Stats.MarkRecrawl();
        }
        var run = new CrawlRun(fetcher, frontier, hostGate, options.Value, time, logger, Stats, output, archive);
        var running = run.RunAsync(seeds, stopToken);
        try
        {
            // The run, not the consumer, decides when the sequence ends: it completes the channel.
            await foreach (var record in run.Results.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return record;
                // Back here means the consumer asked for the next record: it is done with this one.
                run.Acknowledge(output?.Length(), archive);
            }
        }
        finally
        {
            if (!running.IsCompleted)
            {
                // The consumer stopped reading early: cancel everything rather than leave tasks behind.
                run.Abort();
            }
            await running.ConfigureAwait(false);
            // Records the consumer never took hold spooled exchanges.
            while (run.Results.TryRead(out var left))
            {
                left.Dispose();
            }
        }
    }
}
