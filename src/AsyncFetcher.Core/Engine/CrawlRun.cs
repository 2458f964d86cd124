using System.Text;
using System.Threading.Channels;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// One crawl. A single scheduler loop owns all decisions (what to fetch next, when the crawl is
/// over); N workers fetch and parse. They talk through two channels:
/// <c>work</c> (bounded, scheduler → workers) and <c>events</c> (unbounded, workers → scheduler).
/// Workers never write to the bounded channel, so they can never block on it: no deadlock.
/// <para>
/// A page is saved as done in the frontier only after the consumer has handled its record
/// (<see cref="Acknowledge"/>), never when the record is merely queued for it: with a state file,
/// a crash between the two then re-fetches the page instead of losing its record, and the output
/// length saved with the page lets a resume drop a record written but not saved. The links found
/// on a page are queued at once, so the crawl does not wait for the consumer.
/// </para>
/// </summary>
internal sealed class CrawlRun
{
    private readonly Fetcher fetcher;
    private readonly IFrontier frontier;
    private readonly IHostGate hostGate;
    private readonly CrawlOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly CrawlStats stats;
    private readonly HostScheduler hosts;
    private readonly ScopeFilter scope;
    private readonly LinkExtractor extractor;
    private readonly SemaphoreSlim gate;
    private readonly CancellationTokenSource abort = new();
    private readonly CancellationTokenSource lifetime = new();
    private readonly Channel<Job> work;
    private readonly Channel<Event> events = Channel.CreateUnbounded<Event>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<CrawlResult> results = Channel.CreateBounded<CrawlResult>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private readonly OutputCursor? output;
    private readonly bool shared;

    // Pages whose records went to the consumer and wait for its acknowledgement, in record order.
    private readonly Queue<Unsaved> unsaved = new();
    private CrawlCheckpoint saved = CrawlCheckpoint.Empty;

    private int outstanding;
    private long pagesDispatched;
    private bool stopping;
    private bool frontierDry;
    private bool frontierFinished;
    private Task frontierWatch = Task.CompletedTask;
    private bool aborted;

    public CrawlRun(Fetcher fetcher, IFrontier frontier, IHostGate hostGate, CrawlOptions options, TimeProvider time, ILogger logger, CrawlStats stats, OutputCursor? output)
    {
        this.output = output;
        this.fetcher = fetcher;
        this.frontier = frontier;
        this.hostGate = hostGate;
        shared = frontier.Worker is not null;
        this.options = options;
        this.time = time;
        this.logger = logger;
        this.stats = stats;
        hosts = new HostScheduler(options);
        scope = new ScopeFilter(options);
        extractor = new LinkExtractor(LinkRules.From(options));
        gate = new SemaphoreSlim(options.Max, options.Max);
        work = Channel.CreateBounded<Job>(new BoundedChannelOptions(options.Max) { SingleWriter = true });
    }

    public ChannelReader<CrawlResult> Results => results.Reader;

    private bool PageCapReached => options.MaxPages > 0 && pagesDispatched >= options.MaxPages;

    /// <summary>
    /// Cancels in-flight requests at once and ends the run without waiting for acknowledgements
    /// (the consumer stopped reading); unacknowledged pages stay unsaved.
    /// </summary>
    public void Abort()
    {
        // Without the stop, the loop would put each cancelled request back and dispatch it again, for ever.
        events.Writer.TryWrite(new AbortEvent());
        abort.Cancel();
    }

    /// <summary>
    /// The consumer has handled (written and flushed) the oldest record not yet acknowledged; its
    /// page may now be saved, with the output's length after it.
    /// </summary>
    public void Acknowledge(long? outputLength) => events.Writer.TryWrite(new AckEvent(outputLength));

    public async Task RunAsync(IEnumerable<Uri> seeds, CancellationToken stopToken)
    {
        var workers = new Task[options.Max];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(WorkerAsync, CancellationToken.None);
        }
        Exception? failure = null;
        try
        {
            await ScheduleAsync(seeds, stopToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            abort.Cancel();
        }
        finally
        {
            work.Writer.TryComplete();
            await lifetime.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll([.. workers, frontierWatch]).ConfigureAwait(false);
            results.Writer.TryComplete(failure);
            // abort is not disposed: Abort() may race with the end of the run, and it holds no timer.
            lifetime.Dispose();
            gate.Dispose();
        }
    }

    private async Task ScheduleAsync(IEnumerable<Uri> seeds, CancellationToken stopToken)
    {
        saved = await frontier.CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
        var earlierPages = saved.Pages;
        pagesDispatched = earlierPages;
        if (earlierPages > 0)
        {
            logger.LogInformation("resuming: {Pages} page(s) done in earlier runs", earlierPages);
        }
        foreach (var given in seeds)
        {
            // The fetcher allows the seed's own network and keeps its credentials aside; the crawl sees them masked.
            var seed = fetcher.AddSeed(given);
            // Seeds given again on resume are seen already: adding them is idempotent.
            await frontier.AddAsync(new CrawlRequest(seed, 0, null, seed.IdnHost), CancellationToken.None).ConfigureAwait(false);
        }
        using var stopRegistration = stopToken.Register(() => events.Writer.TryWrite(new StopEvent(null)));
        using var deadline = options.Deadline > TimeSpan.Zero
            ? time.CreateTimer(_ => events.Writer.TryWrite(new StopEvent("deadline")), null, options.Deadline, Timeout.InfiniteTimeSpan)
            : null;
        ITimer? graceTimer = null;
        try
        {
            while (true)
            {
                DateTimeOffset? due = null;
                if (!stopping)
                {
                    await RefillAsync().ConfigureAwait(false);
                    due = await DispatchAsync().ConfigureAwait(false);
                }
                stats.SetInFlight(outstanding);
                stats.SetQueued(hosts.Queued);
                if (outstanding == 0 && (aborted || unsaved.Count == 0) && (stopping || (hosts.Queued == 0 && ((frontierDry && frontierFinished) || PageCapReached))))
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
                        aborted = true;
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
                        await SaveAsync(ack).ConfigureAwait(false);
                        break;
                    case GraceOverEvent:
                        logger.LogInformation("grace period over: cancelling {Count} request(s) in flight", outstanding);
                        await abort.CancelAsync().ConfigureAwait(false);
                        break;
                    case RobotsEvent robots:
                        outstanding--;
                        hosts.SetRobots(robots.HostKey, robots.Robots, robots.Unavailable);
                        await hostGate.ExitAsync(robots.HostKey, CancellationToken.None).ConfigureAwait(false);
                        break;
                    case CancelledEvent cancelled:
                        outstanding--;
                        await hostGate.ExitAsync(cancelled.Job.Request.HostKey, CancellationToken.None).ConfigureAwait(false);
                        if (cancelled.Job.Kind == JobKind.Robots)
                        {
                            hosts.SetRobots(cancelled.Job.Request.HostKey, RobotsTxt.DisallowAll);
                        }
                        else
                        {
                            hosts.Release(cancelled.Job.Request.HostKey);
                            await frontier.ReleaseAsync(cancelled.Job.Request.Origin, CancellationToken.None).ConfigureAwait(false);
                        }
                        break;
                    case PageEvent { Response.HoldUntil: { } until } held:
                        outstanding--;
                        hosts.Release(held.Request.HostKey);
                        await hostGate.ExitAsync(held.Request.HostKey, CancellationToken.None).ConfigureAwait(false);
                        await HoldAsync(held.Request, until).ConfigureAwait(false);
                        break;
                    case PageEvent page:
                        outstanding--;
                        hosts.Release(page.Request.HostKey);
                        await hostGate.ExitAsync(page.Request.HostKey, CancellationToken.None).ConfigureAwait(false);
                        await CompletePageAsync(page).ConfigureAwait(false);
                        break;
                    case FrontierEvent { Finished: true }:
                        // Only news while still dry: work found since then makes the crawl not over.
                        frontierFinished = frontierDry;
                        break;
                    case FrontierEvent:
                        frontierDry = false;
                        break;
                    case HostReadyEvent ready:
                        hosts.Unblock(ready.HostKey);
                        break;
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
        }
    }

    /// <summary>Stops taking work: what waits in the scheduler goes back to the frontier.</summary>
    private async Task StopAsync()
    {
        if (stopping)
        {
            return;
        }
        stopping = true;
        stats.MarkStopped();
        foreach (var request in hosts.DrainAll())
        {
            await frontier.ReleaseAsync(request.Origin, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Saves acknowledged pages as done, with the checkpoint, in one frontier step.
    /// Acknowledgements that queued up meanwhile are saved in the same step (a group commit):
    /// one transaction per page would make the state file the bottleneck.
    /// </summary>
    private async Task SaveAsync(AckEvent ack)
    {
        var pages = new List<CrawlRequest>();
        var failed = new List<CrawlRequest>();
        var fetched = 0;
        var outputLength = ack.OutputLength;
        while (true)
        {
            var page = unsaved.Dequeue();
            pages.Add(page.Done);
            fetched += page.Fetched ? 1 : 0;
            if (page.Failed)
            {
                failed.Add(page.Done);
            }
            if (pages.Count >= 256 || !events.Reader.TryPeek(out var next) || next is not AckEvent more)
            {
                break;
            }
            events.Reader.TryRead(out _);
            outputLength = more.OutputLength;
        }
        saved = new CrawlCheckpoint(saved.Pages + fetched, output?.Path ?? saved.Output, outputLength ?? saved.OutputLength);
        await frontier.CompleteAsync(pages, failed, saved, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task RefillAsync()
    {
        // A wide window lets the scheduler rotate over many hosts; a shared frontier is leased in small batches so other workers get work.
        var window = shared ? options.Max * 2 : Math.Max(1024, options.Max * 16);
        if (frontierDry || PageCapReached || hosts.Queued >= window / 2)
        {
            return;
        }
        var batch = await frontier.TakeAsync(window - hosts.Queued, CancellationToken.None).ConfigureAwait(false);
        foreach (var request in batch)
        {
            hosts.Enqueue(request);
        }
        frontierDry = batch.Count == 0;
        frontierFinished = false;
        if (frontierDry && frontierWatch.IsCompleted)
        {
            frontierWatch = WatchFrontierAsync();
        }
    }

    /// <summary>
    /// The frontier is dry here, but another process sharing it may still add work: the frontier says when to
    /// take again, or that the crawl is over everywhere. An event, so the loop goes on meanwhile.
    /// </summary>
    private async Task WatchFrontierAsync()
    {
        bool finished;
        try
        {
            finished = await frontier.WaitAsync(lifetime.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            return;
        }
        events.Writer.TryWrite(new FrontierEvent(finished));
    }

    /// <summary>Asks the host gate before a request the scheduler picked; turned away, the host waits for the gate's word.</summary>
    private async Task<bool> EnterHostAsync(HostScheduler.Decision decision)
    {
        var hostKey = decision.Request!.HostKey;
        var pass = await hostGate.EnterAsync(hostKey, hosts.Host(hostKey).Interval, lifetime.Token).ConfigureAwait(false);
        if (pass.IsEntered)
        {
            return true;
        }
        hosts.Deny(decision);
        _ = PostWhenAsync(pass.Retry!, new HostReadyEvent(hostKey));
        return false;
    }

    private async Task PostWhenAsync(Task ready, Event next)
    {
        try
        {
            await ready.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        events.Writer.TryWrite(next);
    }

    /// <summary>Hands work to the workers while slots are free; returns when a waiting host may go next.</summary>
    private async Task<DateTimeOffset?> DispatchAsync()
    {
        while (outstanding < options.Max)
        {
            var decision = hosts.Next(time.GetUtcNow());
            var request = decision.Request!;
            switch (decision.Kind)
            {
                case HostScheduler.DecisionKind.Wait:
                    return decision.Due;
                case HostScheduler.DecisionKind.FetchRobots:
                    if (!await EnterHostAsync(decision).ConfigureAwait(false))
                    {
                        break;
                    }
                    outstanding++;
                    var robotsUrl = new Uri(request.Url, "/robots.txt");
                    await work.Writer.WriteAsync(new Job(JobKind.Robots, request with { Url = robotsUrl, Redirect = null }), CancellationToken.None).ConfigureAwait(false);
                    break;
                case HostScheduler.DecisionKind.Disallowed:
                    var unavailable = hosts.Host(request.HostKey).Unavailable;
                    if (unavailable is null)
                    {
                        stats.AddDisallowed();
                    }
                    if (unavailable is not null || (request.Depth == 0 && request.Redirect is null))
                    {
                        // An unreachable host fails every URL; a seed was asked for by name: say why it was not fetched.
                        await EmitAsync(NewResult(request) with { Error = unavailable ?? "disallowed by robots.txt" }, new Unsaved(request.Origin, Fetched: false, Failed: true)).ConfigureAwait(false);
                    }
                    else
                    {
                        // No record to wait for: saved at once, with the checkpoint as it stands.
                        await frontier.CompleteAsync([request.Origin], saved, CancellationToken.None).ConfigureAwait(false);
                    }
                    break;
                case HostScheduler.DecisionKind.Fetch when request.Redirect is null && PageCapReached:
                    hosts.Release(request.HostKey);
                    await frontier.ReleaseAsync(request, CancellationToken.None).ConfigureAwait(false);
                    break;
                case HostScheduler.DecisionKind.Fetch:
                    if (!await EnterHostAsync(decision).ConfigureAwait(false))
                    {
                        break;
                    }
                    outstanding++;
                    if (request.Redirect is null)
                    {
                        pagesDispatched++;
                    }
                    // The host's last queued URL: its connection is closed after it, not left idle in the pool.
                    var last = hosts.Host(request.HostKey).Pending.Count == 0;
                    await work.Writer.WriteAsync(new Job(JobKind.Page, request, last), CancellationToken.None).ConfigureAwait(false);
                    break;
            }
        }
        return null;
    }

    /// <summary>Waits for a worker's event, or until <paramref name="due"/> (a host's politeness interval ends); null on the timer.</summary>
    private async Task<Event?> NextEventAsync(DateTimeOffset? due)
    {
        if (events.Reader.TryRead(out var ready))
        {
            return ready;
        }
        if (due is null)
        {
            return await events.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
        }
        var wait = due.Value - time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }
        using var timer = new CancellationTokenSource(wait, time);
        try
        {
            return await events.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task CompletePageAsync(PageEvent page)
    {
        var request = page.Request;
        var response = page.Response;
        var chain = request.Redirect;
        var attempts = (chain?.Attempts ?? 0) + response.Attempts;
        var elapsed = (chain?.Elapsed ?? TimeSpan.Zero) + response.Elapsed;
        var result = NewResult(request) with
        {
            FinalUrl = request.Url.AbsoluteUri,
            Status = response.Status,
            ContentType = response.ContentType,
            Bytes = response.Bytes,
            ElapsedMs = (long)elapsed.TotalMilliseconds,
            Attempts = attempts,
            Redirects = chain?.Count ?? 0,
            Truncated = response.Truncated,
            Error = response.Error,
            Title = page.Links?.Title,
            Links = page.Links?.LinksFound,
            Note = page.Links?.Note,
        };
        stats.AddLinksOverCap(page.Links?.LinksOverCap ?? 0);

        if (response.IsRedirect)
        {
            var redirect = await FollowRedirectAsync(request, response.Location!, attempts, elapsed).ConfigureAwait(false);
            if (redirect is null)
            {
                return;
            }
            result = result with { FinalUrl = redirect.Value.Target ?? result.FinalUrl, Error = redirect.Value.Error };
        }

        var discovered = new List<CrawlRequest>();
        if (page.Links is { } links && request.Origin.Depth < options.Depth)
        {
            foreach (var link in links.Links)
            {
                if (scope.Allows(request, link) && scope.TakeQueryVariant(link))
                {
                    discovered.Add(new CrawlRequest(link, request.Origin.Depth + 1, request.Url.AbsoluteUri, request.ScopeHost));
                }
            }
            stats.SetOutOfScope(scope.OutOfScope);
        }
        if (discovered.Count > 0)
        {
            await frontier.AddAsync(discovered, CancellationToken.None).ConfigureAwait(false);
            frontierDry = false;
            frontierFinished = false;
        }
        await EmitAsync(result, new Unsaved(request.Origin, Fetched: true, Failed: result.Error is not null)).ConfigureAwait(false);
    }

    /// <summary>
    /// A URL refused by its host's open circuit breaker, before any request was sent: not a
    /// failure. It goes back to its host, which pauses until the circuit lets a probe through. Each
    /// probe that fails is recorded, so a host that never recovers still runs out of URLs.
    /// </summary>
    private async Task HoldAsync(CrawlRequest request, DateTimeOffset until)
    {
        if (stopping)
        {
            await frontier.ReleaseAsync(request.Origin, CancellationToken.None).ConfigureAwait(false);
            return;
        }
        stats.AddHeld();
        if (request.Redirect is null)
        {
            pagesDispatched--;
        }
        hosts.Hold(request, until);
    }

    /// <summary>
    /// Queues the next hop of a redirect, checked like any link; null when it was queued (the
    /// record waits for the hop), else why the chain ends here.
    /// </summary>
    private async Task<(string? Target, string? Error)?> FollowRedirectAsync(CrawlRequest request, Uri location, int attempts, TimeSpan elapsed)
    {
        if (stopping)
        {
            // No new requests once stopping: the origin goes back to the frontier, to be fetched on resume.
            await frontier.ReleaseAsync(request.Origin, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        if (!UrlNormalizer.TryNormalize(location.AbsoluteUri, options.SortQuery, options.MaxUrlLength, out var target))
        {
            return (RecordText.Cut(UrlRedaction.RedactText(location.OriginalString)), "redirect to an unsupported URL");
        }
        var urls = request.Redirect?.Urls ?? [request.Key];
        if (urls.Contains(target.AbsoluteUri))
        {
            return (target.AbsoluteUri, "redirect loop");
        }
        if (urls.Count > options.MaxRedirects)
        {
            return (target.AbsoluteUri, "too many redirects");
        }
        // A seed that redirects (http → https, a new host) moves its scope with it.
        var isSeed = request.Origin.Depth == 0;
        var scopeHost = isSeed ? target.IdnHost : request.ScopeHost;
        if (!isSeed && !scope.InScope(request.ScopeHost, target))
        {
            return (target.AbsoluteUri, "redirect out of scope");
        }
        var hop = new CrawlRequest(target, request.Depth, request.Parent, scopeHost)
        {
            Redirect = new RedirectChain(request.Origin, [.. urls, target.AbsoluteUri], attempts, elapsed),
        };
        if (!await frontier.MarkSeenAsync(hop, CancellationToken.None).ConfigureAwait(false))
        {
            // Already fetched (or queued) under this URL: the record says where it went, nothing is fetched twice.
            return (target.AbsoluteUri, null);
        }
        hosts.Enqueue(hop);
        return null;
    }

    private CrawlResult NewResult(CrawlRequest request)
    {
        var origin = request.Origin;
        return new CrawlResult { Url = origin.Url.AbsoluteUri, Depth = origin.Depth, Parent = origin.Parent, FetchedAt = time.GetUtcNow(), Worker = frontier.Worker };
    }

    /// <summary>Hands a record to the consumer; its page is saved when the consumer acknowledges it.</summary>
    private async Task EmitAsync(CrawlResult result, Unsaved page)
    {
        try
        {
            await results.Writer.WriteAsync(result, abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Aborted: nobody reads records any more; the page stays unsaved (taken), as if in flight.
            return;
        }
        stats.RecordResult(result);
        unsaved.Enqueue(page);
    }

    private async Task WorkerAsync()
    {
        await foreach (var job in work.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            Event done;
            try
            {
                done = job.Kind == JobKind.Robots
                    ? await FetchRobotsAsync(job.Request, abort.Token).ConfigureAwait(false)
                    : await FetchPageAsync(job.Request, job.LastForHost, abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                done = new CancelledEvent(job);
            }
            catch (Exception e)
            {
                logger.LogError(e, "unexpected failure on {Url}", job.Request.Url);
                done = job.Kind == JobKind.Robots
                    ? new RobotsEvent(job.Request.HostKey, RobotsTxt.AllowAll, null)
                    : new PageEvent(job.Request, new FetchResponse { Error = $"internal: {e.Message}" }, null);
            }
            events.Writer.TryWrite(done);
        }
    }

    private async Task<Event> FetchPageAsync(CrawlRequest request, bool lastForHost, CancellationToken cancellationToken)
    {
        FetchResponse response;
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            response = await fetcher.FetchAsync(request.Url, keepBody: false, cancellationToken, closeConnection: lastForHost).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
        stats.AddBreakerOpenings(request.HostKey, response.CircuitOpenings);
        PageLinks? links = null;
        if (response.IsHtml && response.Status is >= 200 and < 300)
        {
            // Parsing runs after the slot is released: CPU work should not hold a network slot.
            links = extractor.Extract(response.Body.Span, response.Charset, request.Url);
        }
        return new PageEvent(request, response with { Body = default }, links);
    }

    /// <summary>Fetches robots.txt as RFC 9309 says: 2xx parsed, 4xx allows all, 5xx or unreachable disallows all.</summary>
    private async Task<Event> FetchRobotsAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var url = request.Url;
        for (var hop = 0; hop <= 5; hop++)
        {
            FetchResponse response;
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Closed after: the host's pages may wait their turn behind many other hosts, and an idle
                // connection per host would hold a socket each (a crawl of 10,000 hosts: 10,000 of them).
                response = await fetcher.FetchAsync(url, keepBody: true, cancellationToken, closeConnection: true).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
            stats.AddBreakerOpenings(request.HostKey, response.CircuitOpenings);
            if (response.IsRedirect)
            {
                url = response.Location!;
                continue;
            }
            switch (response.Status)
            {
                case >= 200 and < 300:
                    // The parser cuts at its own limit (dropping a half line); cutting here could turn "Disallow: /private" into "Disallow: /".
                    var text = Encoding.UTF8.GetString(response.Body.Span);
                    return new RobotsEvent(request.HostKey, RobotsTxt.Parse(text, options.RobotsToken), null);
                case >= 400 and < 500:
                    return new RobotsEvent(request.HostKey, RobotsTxt.AllowAll, null);
                default:
                    // The pages of the host are recorded with this: a failure of robots.txt itself says so ("robots.txt timeout").
                    var reason = response.Error is null ? $"robots.txt unavailable (status {response.Status})"
                        : FetchErrors.IsHostUnreachable(response.Error) ? response.Error
                        : $"robots.txt {response.Error}";
                    logger.LogWarning("{Host}: {Reason}; not crawling that host", request.HostKey, reason);
                    return new RobotsEvent(request.HostKey, RobotsTxt.DisallowAll, reason);
            }
        }
        return new RobotsEvent(request.HostKey, RobotsTxt.AllowAll, null);
    }

    private enum JobKind
    {
        Page,
        Robots,
    }

    /// <param name="LastForHost">No other URL of the host was queued when this one was dispatched.</param>
    private sealed record Job(JobKind Kind, CrawlRequest Request, bool LastForHost = false);

    private abstract record Event;

    private sealed record PageEvent(CrawlRequest Request, FetchResponse Response, PageLinks? Links) : Event;

    private sealed record RobotsEvent(string HostKey, RobotsTxt Robots, string? Unavailable) : Event;

    private sealed record CancelledEvent(Job Job) : Event;

    /// <summary>A graceful stop: Ctrl+C or SIGTERM (no reason), or the deadline.</summary>
    private sealed record StopEvent(string? Reason) : Event;

    private sealed record AbortEvent : Event;

    private sealed record AckEvent(long? OutputLength) : Event;

    /// <summary>A completed page waiting for its record's acknowledgement: then it is saved as done.</summary>
    private sealed record Unsaved(CrawlRequest Done, bool Fetched, bool Failed);

    private sealed record GraceOverEvent : Event;

    private sealed record FrontierEvent(bool Finished) : Event;

    private sealed record HostReadyEvent(string HostKey) : Event;
}
