using System.Threading.Channels;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// One crawl. A single scheduler loop (<see cref="SchedulerLoop"/>) owns every decision — what to fetch
/// next, when the crawl is over — and <c>--max</c> workers (<see cref="Worker"/>) fetch and parse. They
/// talk through two channels: <c>work</c> (bounded, loop → workers) and <c>events</c> (unbounded,
/// workers → loop). Workers never write to the bounded channel, so they can never block on it: no
/// deadlock. Records go to the consumer on a third channel, <c>results</c>, and its acknowledgements
/// come back as events (<see cref="RecordHandoff"/>).
/// </summary>
internal sealed class CrawlRun
{
    /// <summary>The crawl's settings.</summary>
    private readonly CrawlOptions options;

    /// <summary>Cancels requests in flight: when the grace period is over, the consumer stopped reading, or the run failed.</summary>
    private readonly CancellationTokenSource abort = new();

    /// <summary>What the loop tells the workers to fetch, bounded at --max.</summary>
    private readonly Channel<Job> work;

    /// <summary>What the workers, timers and the consumer tell the loop; unbounded, so posting never waits.</summary>
    private readonly Channel<Event> events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>The records, loop → consumer; bounded, so a slow output holds the crawl back instead of filling memory.</summary>
    private readonly Channel<CrawlRecord> results = Channel.CreateBounded<CrawlRecord>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });

    /// <summary>At most --max requests in flight, over all workers.</summary>
    private readonly SemaphoreSlim gate;

    /// <summary>The one owner of the crawl's decisions.</summary>
    private readonly SchedulerLoop loop;

    /// <summary>Takes each seed in: allows its network, keeps its credentials aside (<see cref="Fetcher.AddSeed"/>).</summary>
    private readonly Fetcher fetcher;

    /// <summary>What each worker runs; it keeps no state of its own, so the workers share it.</summary>
    private readonly Worker worker;

    public CrawlRun(Fetcher fetcher, IFrontier frontier, IHostGate hostGate, CrawlOptions options, TimeProvider time, ILogger logger, CrawlStats stats, OutputCursor? output, ArchiveCursor? archive = null)
    {
        this.options = options;
        this.fetcher = fetcher;
        gate = new SemaphoreSlim(options.Max, options.Max);
        work = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.Max) { SingleWriter = true });
        loop = new SchedulerLoop(frontier, hostGate, options, time, logger, stats, output, archive, work, events, results.Writer, abort);
        var extractor = new LinkExtractor(new LinkRules(options.FollowNofollow, options.SortQuery, options.MaxUrlLength, options.MaxLinksPerPage));
        var robots = new RobotsFetcher(fetcher, options, logger);
        var sitemaps = new SitemapReader(options.SortQuery, options.MaxUrlLength);
        worker = new Worker(fetcher, robots, extractor, sitemaps, gate, stats, logger, work.Reader, events.Writer, abort.Token);
    }

    public ChannelReader<CrawlRecord> Results => results.Reader;

    /// <summary>
    /// Cancels in-flight requests at once and ends the run without waiting for acknowledgements
    /// (the consumer stopped reading); unacknowledged pages stay unsaved.
    /// </summary>
    public void Abort()
    {
        // Without the stop, the loop would put each cancelled request back and dispatch it again, for ever.
        loop.RequestStop(new AbortEvent());
        abort.Cancel();
    }

    /// <summary>
    /// The consumer has handled (written and flushed) the oldest record not yet acknowledged; its
    /// page may now be saved, with the output's length after it, and the WARC's.
    /// </summary>
    public void Acknowledge(long? outputLength, ArchiveCursor? archive = null) =>
        events.Writer.TryWrite(archive is null ? new AckEvent(outputLength) : new AckEvent(outputLength, archive.Path(), archive.Length()));

    public async Task RunAsync(IEnumerable<Uri> seeds, CancellationToken stopToken)
    {
        var workers = new Task[options.Max];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(worker.RunAsync, CancellationToken.None);
        }
        Exception? failure = null;
        try
        {
            // The fetcher allows each seed's own network and keeps its credentials aside; the crawl sees them masked.
            await loop.RunAsync(seeds.Select(fetcher.AddSeed), stopToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            await abort.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            // The loop completed the work channel: each worker ends once it has reported its last job.
            try
            {
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                failure ??= e;
            }
            // Whatever happened, the consumer's await foreach ends: with the run's failure, if any.
            results.Writer.TryComplete(failure);
            // abort is not disposed: Abort() may race with the end of the run, and it holds no timer.
            gate.Dispose();
        }
    }
}
