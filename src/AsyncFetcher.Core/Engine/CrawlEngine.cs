using System.Runtime.CompilerServices;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// Crawls from seeds and streams one <see cref="CrawlResult"/> per URL as it completes.
/// Each call to <see cref="RunAsync"/> is one crawl (a <see cref="CrawlRun"/>).
/// </summary>
internal sealed class CrawlEngine(Fetcher fetcher, IFrontier frontier, IHostGate hostGate, IOptions<CrawlOptions> options, TimeProvider time, ILogger<CrawlEngine> logger)
{
    /// <summary>The live counters of the current (or last) crawl.</summary>
    public CrawlStats Stats { get; private set; } = new();

    /// <summary>
    /// Runs the crawl. Cancelling <paramref name="stopToken"/> is a graceful stop: no new requests,
    /// in-flight ones get the grace period, the rest go back to the frontier; the sequence then ends.
    /// </summary>
    public async IAsyncEnumerable<CrawlResult> RunAsync(IEnumerable<Uri> seeds, [EnumeratorCancellation] CancellationToken stopToken = default)
    {
        Stats = new CrawlStats();
        var run = new CrawlRun(fetcher, frontier, hostGate, options.Value, time, logger, Stats);
        var running = run.RunAsync(seeds, stopToken);
        try
        {
            // The run, not the consumer, decides when the sequence ends: it completes the channel.
            await foreach (var result in run.Results.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return result;
                run.RecordTaken();
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
        }
    }
}
