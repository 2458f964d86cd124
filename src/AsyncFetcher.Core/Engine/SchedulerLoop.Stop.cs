using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>How the scheduler loop stops: a graceful stop, an abort, and a frontier given up on.</summary>
internal sealed partial class SchedulerLoop
{
    /// <summary>
    /// Asks for a stop (<see cref="StopEvent"/>) or an abort (<see cref="AbortEvent"/>), on the asker's
    /// thread: a signal's, the deadline timer's, the consumer's. The loop hears of it as an event. The
    /// frontier's time starts here, not when the loop gets to the event: the loop may be waiting on a
    /// frontier that does not answer (a Redis outage is waited out, however long).
    /// </summary>
    /// <remarks>
    /// Which token the frontier and the host gate get, and why: a stop must not wait on a store for ever,
    /// yet what a graceful stop saves must still be saved. So their calls run uncancelled through the
    /// grace period (pages that finish in it are saved, what waits is released), and as long again after
    /// it (at least <see cref="MinimumHandBack"/>, even with --grace 0) for the requests cancelled at its
    /// end to be handed back; with nothing in flight, there is nothing to wait for, and the store gets only
    /// <see cref="MinimumHandBack"/>. Then the run gives up on the store. What it was not told is not lost,
    /// only fetched again: a shared frontier's lease expires (the in-process ones never keep a stop waiting).
    /// Calls that only take work do not wait even that long: their token (<see cref="takeToken"/>) ends with the stop.
    /// </remarks>
    public void RequestStop(Event stop)
    {
        events.Writer.TryWrite(stop);
        if (Interlocked.Exchange(ref stopAsked, 1) == 0)
        {
            var handBack = stats.InFlight == 0 ? MinimumHandBack : options.Grace + (options.Grace > MinimumHandBack ? options.Grace : MinimumHandBack);
            giveUp.CancelAfter(handBack < MaxTimer ? handBack : MaxTimer);
        }
    }

    /// <summary>A frontier or host-gate call was given up on (see <see cref="RequestStop"/>): stop without it.</summary>
    private void GiveUpOnFrontier()
    {
        if (!savesAbandoned)
        {
            logger.LogWarning("the frontier did not answer in time: stopping without it; pages not saved are fetched again");
        }
        savesAbandoned = true;
        stopping = true;
        stats.MarkStopped();
        // The grace period is over by now: what is still in flight is cancelled.
        abort.Cancel();
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
            handoff.ForgetHops(request.Origin);
            await frontier.ReleaseAsync(request.Origin, giveUp.Token).ConfigureAwait(false);
        }
    }
}
