using System.Diagnostics;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

/// <summary>How the scheduler loop hands out work, asks the host gate, and waits for the next event.</summary>
internal sealed partial class SchedulerLoop
{
    /// <summary>Hands work to the workers while slots are free; returns when a waiting host may go next.</summary>
    private async Task<DateTimeOffset?> DispatchAsync()
    {
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
                    if (!await EnterHostAsync(decision).ConfigureAwait(false))
                    {
                        break;
                    }
                    outstanding++;
                    var robotsUrl = new Uri(request.Url, "/robots.txt");
                    await work.WriteAsync(new Job(JobKind.Robots, request with { Url = robotsUrl, Redirect = null }), giveUp.Token).ConfigureAwait(false);
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
                        await handoff.EmitAsync(NewResult(request) with { Error = unavailable ?? "disallowed by robots.txt" }, request.Origin, fetched: false, abort.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        // No record to wait for: saved at once, with the checkpoint as it stands.
                        await handoff.CompleteUnrecordedAsync(request.Origin, giveUp.Token, abort.Token).ConfigureAwait(false);
                    }
                    break;
                case HostScheduler.DecisionKind.Fetch when request.Redirect is null && PageCapReached:
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
                    // The host's last queued URL: its connection is closed after it, not left idle in the pool.
                    var last = hosts.Host(request.HostKey).Pending.Count == 0;
                    await work.WriteAsync(new Job(sitemaps.IsSitemap(request) ? JobKind.Sitemap : JobKind.Page, request, last), giveUp.Token).ConfigureAwait(false);
                    break;
            }
        }
        return null;
    }

    /// <summary>Asks the host gate before a request the scheduler picked; turned away, the host waits for the gate's word.</summary>
    private async Task<bool> EnterHostAsync(HostScheduler.Decision decision)
    {
        var hostKey = decision.Request!.HostKey;
        var pass = await hostGate.EnterAsync(hostKey, hosts.Host(hostKey).Pace, giveUp.Token).ConfigureAwait(false);
        if (pass.IsEntered)
        {
            return true;
        }
        hosts.Deny(decision);
        gateRetries.RemoveAll(static retry => retry.IsCompleted);
        gateRetries.Add(PostWhenAsync(pass.Retry!, new HostReadyEvent(hostKey)));
        return false;
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
