// Over 300 lines: the loop's fields and its main loop; the rest of SchedulerLoop is split by job (.Start, .Dispatch, .Pages, .Stop).
using System.Diagnostics;
using System.Threading.Channels;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// The scheduler loop: the one owner of a crawl's decisions — what to fetch next, per-host slots, the
/// page cap, when the crawl is over. It alone calls the frontier, the host scheduler and the host gate,
/// and alone writes the bounded work channel; workers, timers and the consumer talk to it by events.
/// It may resume on different pool threads after each await but never runs twice at once, like an
/// asyncio loop, so its state needs no lock.
/// </summary>
internal sealed partial class SchedulerLoop
{
    /// <summary>
    /// The least time the frontier gets, after the grace period, to take back what a stop hands it. A second
    /// was too little on a busy machine: a worker stopped between two requests gave up on Redis part-way
    /// through releasing its window, and the URLs it had not released stayed leased until --lease ran out.
    /// </summary>
    private static readonly TimeSpan MinimumHandBack = TimeSpan.FromSeconds(3);

    /// <summary>The longest wait a timer takes (about 49 days).</summary>
    private static readonly TimeSpan MaxTimer = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    /// <summary>The crawl's memory of URLs: seen, queued, done.</summary>
    private readonly IFrontier frontier;

    /// <summary>Per-host politeness beyond this process, asked before each request.</summary>
    private readonly IHostGate hostGate;

    /// <summary>The requests taken from the frontier, each waiting for its host to be free.</summary>
    private readonly HostScheduler hosts;

    /// <summary>Takes requests from the frontier into <see cref="hosts"/>, and knows when it has no more.</summary>
    private readonly FrontierWindow window;

    /// <summary>Queues a page's redirect hop, checked like a link.</summary>
    private readonly RedirectFollower redirects;

    /// <summary>Hands records to the consumer, and saves their pages once it acknowledged them.</summary>
    private readonly RecordHandoff handoff;

    /// <summary>Which links found on a page become requests.</summary>
    private readonly ScopeFilter scope;

    /// <summary>Which requests are sitemaps, and what a sitemap read queues.</summary>
    private readonly SitemapFollower sitemaps;

    /// <summary>The crawl's settings.</summary>
    private readonly CrawlOptions options;

    /// <summary>The clock of every wait and timestamp (a fake one in tests).</summary>
    private readonly TimeProvider time;

    /// <summary>Where the crawl's lines for people go.</summary>
    private readonly ILogger logger;

    /// <summary>The live counters progress and the summary read.</summary>
    private readonly CrawlStats stats;

    /// <summary>Jobs for the workers, bounded at --max; this loop is its only writer.</summary>
    private readonly ChannelWriter<Job> work;

    /// <summary>What the workers, the timers, the frontier watch and the consumer tell the loop; read here alone.</summary>
    private readonly Channel<Event> events;

    /// <summary>Cancels requests in flight: when the grace period is over, the consumer stopped reading, or the run failed (<see cref="CrawlRun"/>'s).</summary>
    private readonly CancellationTokenSource abort;

    /// <summary>
    /// The token of every call to the frontier and the host gate, and of the waits on them. It is
    /// cancelled when the run ends, and, from the moment a stop or an abort is asked for, once the grace
    /// period and as long again (at least <see cref="MinimumHandBack"/>) have passed: see <see cref="RequestStop"/>.
    /// Not disposed: a stop asked for as the run ends may still set its timer; cancelled, it holds none.
    /// </summary>
    private readonly CancellationTokenSource giveUp;

    /// <summary>
    /// The token of the calls that only take work (adding the seeds, takes, the host gate, robots.txt claims, counting
    /// a page): cancelled as soon as a stop is asked, since nothing they do needs saving, and with <see cref="giveUp"/>.
    /// So a stop never waits for a store that does not answer, to take work it would not do. Set when the run starts.
    /// </summary>
    private CancellationToken takeToken;

    /// <summary>The host gate's pending "ask again" signals (<see cref="PostWhenAsync"/>), awaited before the run ends.</summary>
    private readonly List<Task> gateRetries = [];

    /// <summary>Jobs handed to the workers and not reported back yet.</summary>
    private int outstanding;

    /// <summary>Pages dispatched over every run on this state (not redirect hops): what --max-pages counts.</summary>
    private long pagesDispatched;

    /// <summary>Pages earlier runs on this state fetched.</summary>
    private long earlierPages;

    /// <summary>A stop, or an abort, was heard: no new requests, what waits goes back to the frontier.</summary>
    private bool stopping;

    /// <summary>No page is saved any more: the consumer stopped reading, or the frontier was given up on.</summary>
    private bool savesAbandoned;

    /// <summary>1 once a stop or an abort was asked for; set on the asker's thread.</summary>
    private int stopAsked;

    /// <summary>The frontier said the crawl-wide --max-pages is reached (a shared frontier counts every worker's pages).</summary>
    private bool sharedCapReached;

    /// <summary>The host gate turned a request away in this dispatch because every slot the crawl allows its host was taken.</summary>
    private bool turnedAwayAtCap;

    /// <summary>The note that more workers cannot make the crawl faster was given (once).</summary>
    private bool capNoted;

    public SchedulerLoop(IFrontier frontier, IHostGate hostGate, CrawlOptions options, TimeProvider time, ILogger logger, CrawlStats stats, OutputCursor? output, ArchiveCursor? archive, Channel<Job> work, Channel<Event> events, ChannelWriter<CrawlRecord> results, CancellationTokenSource abort)
    {
        this.frontier = frontier;
        this.hostGate = hostGate;
        this.options = options;
        this.time = time;
        this.logger = logger;
        this.stats = stats;
        this.work = work.Writer;
        this.events = events;
        this.abort = abort;
        giveUp = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        hosts = new HostScheduler(options);
        scope = new ScopeFilter(options);
        // A wide window lets the scheduler rotate over many hosts, and widens to sixteen times that while hosts wait
        // on their delays; a shared frontier is leased in small batches so other workers get work.
        var size = frontier.Worker is not null ? options.Max * 2 : Math.Max(1024, options.Max * 16);
        window = new FrontierWindow(frontier, hosts, events.Writer, size, frontier.Worker is not null ? size : size * 16);
        redirects = new RedirectFollower(frontier, hosts, scope, options);
        sitemaps = new SitemapFollower(frontier, scope, options, stats);
        handoff = new RecordHandoff(frontier, results, events.Reader, output, archive, stats);
    }

    private bool PageCapReached => options.MaxPages > 0 && (pagesDispatched >= options.MaxPages || sharedCapReached);

    /// <summary>
    /// Runs the crawl to its end: the seeds go to the frontier, then the loop hands out work and handles
    /// one event at a time until <see cref="IsOver"/>. Every task it started has ended when it returns.
    /// </summary>
    public async Task RunAsync(IEnumerable<Uri> seeds, CancellationToken stopToken)
    {
        using var take = CancellationTokenSource.CreateLinkedTokenSource(stopToken, giveUp.Token);
        takeToken = take.Token;
        using var stopRegistration = stopToken.Register(() => RequestStop(new StopEvent(null)));
        using var deadline = options.Deadline > TimeSpan.Zero
            ? time.CreateTimer(_ => RequestStop(new StopEvent("deadline")), null, options.Deadline, Timeout.InfiniteTimeSpan)
            : null;
        ITimer? graceTimer = null;
        try
        {
            await StartAsync(seeds).ConfigureAwait(false);
            while (true)
            {
                AssertInvariants();
                try
                {
                    DateTimeOffset? due = null;
                    if (!stopping)
                    {
                        due = await FillSlotsAsync().ConfigureAwait(false);
                        NoteCapsOnce();
                    }
                    stats.SetInFlight(outstanding);
                    stats.SetQueued(hosts.Queued);
                    if (IsOver())
                    {
                        if (!stopping && earlierPages > 0 && pagesDispatched == earlierPages && stats.Pages == 0)
                        {
                            logger.LogInformation("crawl already complete: {Pages} page(s) done; use --fresh to start over", earlierPages);
                        }
                        return;
                    }
                    var next = await NextEventAsync(due).ConfigureAwait(false);
                    switch (next)
                    {
                        case null:
                            break;
                        case AbortEvent:
                            savesAbandoned = true;
                            await StopAsync().ConfigureAwait(false);
                            break;
                        case StopEvent stop when !stopping:
                            if (stop.Reason is not null)
                            {
                                logger.LogWarning("{Reason} reached after {Deadline}: stopping", stop.Reason, options.Deadline);
                            }
                            await StopAsync().ConfigureAwait(false);
                            graceTimer = time.CreateTimer(_ => events.Writer.TryWrite(new GraceOverEvent()), null, options.Grace, Timeout.InfiniteTimeSpan);
                            break;
                        case StopEvent:
                            break;
                        case AckEvent ack:
                            await handoff.SaveAsync(ack, giveUp.Token).ConfigureAwait(false);
                            break;
                        case GraceOverEvent:
                            logger.LogInformation("grace period over: cancelling {Count} request(s) in flight", outstanding);
                            await abort.CancelAsync().ConfigureAwait(false);
                            break;
                        case RobotsEvent robots:
                            outstanding--;
                            hosts.SetRobots(robots.HostKey, robots.Answer.Robots, robots.Answer.Unavailable, robots.Answer.Answered);
                            if (robots.Answer.Unavailable is not null)
                            {
                                hosts.Host(robots.HostKey).UnavailableCost = (robots.Answer.Attempts, robots.Answer.Elapsed);
                            }
                            await hostGate.ShareRobotsAsync(robots.HostKey, robots.Answer, giveUp.Token).ConfigureAwait(false);
                            await hostGate.ExitAsync(robots.HostKey, giveUp.Token).ConfigureAwait(false);
                            if (robots.Captures is { Count: > 0 } captures)
                            {
                                await handoff.EmitArchiveAsync(captures, abort.Token).ConfigureAwait(false);
                            }
                            if (!stopping && await sitemaps.FromRobotsAsync(robots.Request, robots.Robots, giveUp.Token).ConfigureAwait(false))
                            {
                                window.Added();
                            }
                            break;
                        case CancelledEvent cancelled:
                            outstanding--;
                            await hostGate.ExitAsync(cancelled.Job.Request.HostKey, giveUp.Token).ConfigureAwait(false);
                            if (cancelled.Job.Kind == JobKind.Robots)
                            {
                                hosts.SetRobots(cancelled.Job.Request.HostKey, RobotsTxt.DisallowAll, null, null);
                            }
                            else
                            {
                                hosts.Release(cancelled.Job.Request.HostKey);
                                handoff.ForgetHops(cancelled.Job.Request.Origin);
                                await frontier.ReleaseAsync(cancelled.Job.Request.Origin, giveUp.Token).ConfigureAwait(false);
                            }
                            break;
                        case PageEvent { Response.HoldUntil: { } until } held:
                            outstanding--;
                            hosts.Release(held.Request.HostKey);
                            await hostGate.ExitAsync(held.Request.HostKey, giveUp.Token).ConfigureAwait(false);
                            await HoldAsync(held.Request, until).ConfigureAwait(false);
                            break;
                        case PageEvent page:
                            outstanding--;
                            Throttle(page);
                            await hostGate.ExitAsync(page.Request.HostKey, giveUp.Token).ConfigureAwait(false);
                            await CompletePageAsync(page).ConfigureAwait(false);
                            break;
                        case FrontierEvent word:
                            window.Heard(word);
                            break;
                        case HostReadyEvent ready:
                            hosts.Unblock(ready.HostKey);
                            break;
                    }
                }
                catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
                {
                    GiveUpOnFrontier();
                }
                catch (OperationCanceledException) when (takeToken.IsCancellationRequested)
                {
                    // A call that only takes work was cut short by the stop; the stop event, next, hands back what waits.
                }
            }
        }
        finally
        {
            if (graceTimer is not null)
            {
                await graceTimer.DisposeAsync().ConfigureAwait(false);
            }
            stats.SetInFlight(0);
            handoff.ForgetAllHops();
            // The loop is the work channel's only writer, so it says when there is no more work; each
            // worker then ends once it has reported its last job.
            work.TryComplete();
            // What the loop started besides the workers waits on the frontier or the gate: end it, and wait until it has.
            await giveUp.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll([window.Watch, .. gateRetries]).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether the crawl is over, one reason per line (like Scrapy's <c>spider_is_idle</c>): nothing ends it
    /// while a worker is busy or a record waits to be saved; then a stop ends it; else it is over once
    /// nothing waits for its host and the frontier has nothing more, or the page cap is reached.
    /// </summary>
    private bool IsOver()
    {
        if (outstanding > 0)
        {
            return false; // a worker is fetching
        }
        if (handoff.Unacknowledged > 0 && !savesAbandoned)
        {
            return false; // a record waits for the consumer, and its page to be saved
        }
        if (stopping)
        {
            return true; // stopped: what waited went back to the frontier
        }
        if (hosts.Queued > 0)
        {
            return false; // a request waits for its host
        }
        return window.Exhausted || PageCapReached; // nothing more to take anywhere, or --max-pages reached
    }

    /// <summary>What must hold each time the loop starts a turn, and each time it hands out work.</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(outstanding >= 0, "more jobs reported back than were handed out");
        Debug.Assert(outstanding <= options.Max, "more jobs in flight than --max");
        Debug.Assert(options.MaxPages == 0 || pagesDispatched <= Math.Max(options.MaxPages, earlierPages), "--max-pages passed");
    }
}
