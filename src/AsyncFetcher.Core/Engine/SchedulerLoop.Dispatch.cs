using System.Diagnostics;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>How the scheduler loop hands out work, asks the host gate, and waits for the next event.</summary>
internal sealed partial class SchedulerLoop
{
    /// <summary>
    /// Tops the window up and hands out work; while slots stay free and everything held waits for its host,
    /// widens the window, since hosts further on in the frontier may fill them. Returns when a waiting host may go next.
    /// </summary>
    private async Task<DateTimeOffset?> FillSlotsAsync()
    {
        await window.RefillAsync(PageCapReached, takeToken).ConfigureAwait(false);
        var due = await DispatchAsync().ConfigureAwait(false);
        while (outstanding < options.Max && hosts.Queued > 0 && await window.WidenAsync(PageCapReached, takeToken).ConfigureAwait(false))
        {
            due = await DispatchAsync().ConfigureAwait(false);
        }
        return due;
    }

    /// <summary>Hands work to the workers while slots are free; returns when a waiting host may go next.</summary>
    private async Task<DateTimeOffset?> DispatchAsync()
    {
        turnedAwayAtCap = false;
        while (outstanding < options.Max)
        {
            Debug.Assert(!stopping, "work handed out after the stop");
            var decision = hosts.Next(time.GetUtcNow());
            var request = decision.Request!;
            switch (decision.Kind)
            {
                case HostScheduler.DecisionKind.Wait:
                    return decision.Due;
                case HostScheduler.DecisionKind.FetchRobots:
                    if (!await ClaimRobotsAsync(decision).ConfigureAwait(false) || !await EnterHostAsync(decision).ConfigureAwait(false))
                    {
                        break;
                    }
                    outstanding++;
                    var robotsUrl = new Uri(request.Url, "/robots.txt");
                    await work.WriteAsync(new Job(JobKind.Robots, request with { Url = robotsUrl, Redirect = null }), giveUp.Token).ConfigureAwait(false);
                    break;
                case HostScheduler.DecisionKind.Disallowed:
                    var host = hosts.Host(request.HostKey);
                    var unavailable = host.Unavailable;
                    if (unavailable is null)
                    {
                        stats.AddDisallowed();
                    }
                    if (unavailable is not null || (request.Depth == 0 && request.Redirect is null))
                    {
                        // An unreachable host fails every URL; a seed was asked for by name: say why it was not fetched.
                        var (attempts, elapsed) = host.UnavailableCost;
                        host.UnavailableCost = default;
                        var refused = NewResult(request) with { Error = unavailable ?? "disallowed by robots.txt", Attempts = attempts, ElapsedMs = (long)elapsed.TotalMilliseconds };
                        await handoff.EmitAsync(refused, request.Origin, fetched: false, abort.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        // No record to wait for: saved at once, with the checkpoint as it stands.
                        await handoff.CompleteUnrecordedAsync(request.Origin, giveUp.Token, abort.Token).ConfigureAwait(false);
                    }
                    break;
                case HostScheduler.DecisionKind.Fetch when request.Redirect is null && options.MaxPages > 0 && pagesDispatched >= options.MaxPages:
                    hosts.Release(request.HostKey);
                    await frontier.ReleaseAsync(request, giveUp.Token).ConfigureAwait(false);
                    break;
                case HostScheduler.DecisionKind.Fetch when request.Redirect is null && !await CountPageAsync(decision).ConfigureAwait(false):
                    // The crawl's other workers fetched the last pages --max-pages allows. A page counted before
                    // (turned away by the gate, then back) still goes: it is one of them.
                    sharedCapReached = true;
                    hosts.Release(request.HostKey);
                    await frontier.ReleaseAsync(request, giveUp.Token).ConfigureAwait(false);
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
                    AssertInvariants();
                    // The host's last queued URL (none held here, none known in the frontier) closes its connection after
                    // it, rather than leave it idle in the pool; and the job's retries wait the host's interval, as this first attempt did.
                    var state = hosts.Host(request.HostKey);
                    var last = state.Pending.Count == 0 && !frontier.Holds(request.HostKey);
                    var job = new Job(sitemaps.IsSitemap(request) ? JobKind.Sitemap : JobKind.Page, request, LastForHost: last, state.Pace);
                    await work.WriteAsync(job, giveUp.Token).ConfigureAwait(false);
                    break;
            }
        }
        return null;
    }

    /// <summary>Asks the host gate before a request the scheduler picked; turned away, the host waits for the gate's word.</summary>
    private async Task<bool> EnterHostAsync(HostScheduler.Decision decision)
    {
        var hostKey = decision.Request!.HostKey;
        var pass = await AskAsync(decision, token => hostGate.EnterAsync(hostKey, hosts.Host(hostKey).Pace, token)).ConfigureAwait(false);
        if (pass.IsEntered)
        {
            return true;
        }
        turnedAwayAtCap |= pass.AtCap;
        WaitForHost(decision, pass.Retry!);
        return false;
    }

    /// <summary>
    /// Asks the host gate whether the crawl knows the host's robots.txt (another worker fetched it): then the host has
    /// its rules and no fetch is made; while another worker fetches it, the host waits. True when this worker fetches it.
    /// </summary>
    private async Task<bool> ClaimRobotsAsync(HostScheduler.Decision decision)
    {
        var hostKey = decision.Request!.HostKey;
        var claim = await AskAsync(decision, token => hostGate.ClaimRobotsAsync(hostKey, token)).ConfigureAwait(false);
        if (claim.Known is { } known)
        {
            // Another worker fetched it: its answer's time is that worker's to keep (the shared gate spaces the host).
            hosts.SetRobots(hostKey, known.Robots, known.Unavailable, answered: null);
            return false;
        }
        if (claim.Retry is { } retry)
        {
            WaitForHost(decision, retry);
            return false;
        }
        return true;
    }

    /// <summary>Counts a page against --max-pages in the frontier, which a shared one counts over the whole crawl; false once it is reached.</summary>
    private async Task<bool> CountPageAsync(HostScheduler.Decision decision) =>
        options.MaxPages == 0 || await AskAsync(decision, token => frontier.CountPageAsync(decision.Request!, options.MaxPages, token)).ConfigureAwait(false);

    /// <summary>Asks about a decision with the take token; a stop that cuts the question short puts the decision back, to be handed back with the rest.</summary>
    private async Task<T> AskAsync<T>(HostScheduler.Decision decision, Func<CancellationToken, ValueTask<T>> ask)
    {
        try
        {
            return await ask(takeToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            hosts.Deny(decision);
            throw;
        }
    }

    /// <summary>The host waits, skipped by the scheduler, until <paramref name="retry"/> says asking again may succeed.</summary>
    private void WaitForHost(HostScheduler.Decision decision, Task retry)
    {
        hosts.Deny(decision);
        gateRetries.RemoveAll(static task => task.IsCompleted);
        gateRetries.Add(PostWhenAsync(retry, new HostReadyEvent(decision.Request!.HostKey)));
    }

    /// <summary>
    /// Says once, when it applies, that this worker waits only because other workers hold every slot the crawl allows
    /// its hosts (--max-per-host counts over all of them): then more workers cannot make the crawl faster.
    /// </summary>
    private void NoteCapsOnce()
    {
        if (capNoted || !turnedAwayAtCap || outstanding > 0)
        {
            return;
        }
        capNoted = true;
        logger.LogInformation(
            "every host this worker has work for is at its --max-per-host cap ({Cap}) over the crawl's workers: it waits for a free slot; more workers cannot make this crawl faster, a higher --max-per-host can",
            options.MaxPerHost > 0 ? options.MaxPerHost : options.Max);
    }

    /// <summary>Posts <paramref name="next"/> to the loop when <paramref name="ready"/> completes: a wait that is an event, not a poll.</summary>
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
        if (time.GetUtcNow() >= due.Value)
        {
            // The clock moved on between reading it and starting the timer (a jump, or a test's fake clock):
            // the timer, started late, would wait past the due time.
            return null;
        }
        try
        {
            return await events.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timer.IsCancellationRequested)
        {
            return null;
        }
    }
}
