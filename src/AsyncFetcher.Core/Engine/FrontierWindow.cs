using System.Threading.Channels;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// The scheduler loop's window on the frontier: takes requests in batches into the host scheduler, and
/// knows when the frontier has nothing more. Called by the loop only; the one task it starts (the watch
/// of a dry frontier) talks back by an event, like a worker.
/// </summary>
/// <remarks>
/// The frontier hands requests out oldest first, and a page's links are all on its own host, so a window
/// of a fixed size can hold the next pages of a few hosts only. With a per-host delay those few hosts
/// cannot fill the slots: 1,000 hosts at --delay 200ms and --max 100 ran at 70 % of the limit, the
/// window's 1,600 requests spread over 160 hosts. So when slots are free and everything held waits for
/// its host, the window widens (<see cref="WidenAsync"/>), a batch at a time, while each batch brings
/// hosts that had nothing waiting, up to <paramref name="widest"/>. The memory frontier lets hosts take
/// turns, which spreads the window over every known host; links for a host with nothing held here may
/// make a widening that found none worth trying again (<see cref="Added(IReadOnlyList{CrawlRequest})"/>).
/// </remarks>
/// <param name="frontier">The crawl's memory of URLs.</param>
/// <param name="hosts">Where taken requests wait for their host.</param>
/// <param name="events">Where the watch of a dry frontier posts its word.</param>
/// <param name="size">How many requests the host scheduler holds, topped up when it falls to half.</param>
/// <param name="widest">How many it may hold when widened; <paramref name="size"/> keeps it from widening.</param>
internal sealed class FrontierWindow(IFrontier frontier, HostScheduler hosts, ChannelWriter<Event> events, int size, int widest)
{
    /// <summary>The last take found nothing: taking again waits for the frontier's word (a <see cref="FrontierEvent"/>).</summary>
    private bool dry;

    /// <summary>While dry, the frontier said the crawl is over everywhere.</summary>
    private bool finished;

    /// <summary>The last widening brought no host that had nothing waiting: the next waits for a top-up.</summary>
    private bool widenedInVain;

    /// <summary>The frontier has nothing more, in this process or in any other sharing it.</summary>
    public bool Exhausted => dry && finished;

    /// <summary>The wait for the frontier's word while it is dry (<see cref="WatchAsync"/>); completed when none runs. Awaited before the run ends.</summary>
    public Task Watch { get; private set; } = Task.CompletedTask;

    /// <summary>Tops the host scheduler up to the window's size, unless the frontier is dry or <paramref name="capReached"/> (--max-pages).</summary>
    public async Task RefillAsync(bool capReached, CancellationToken cancellationToken)
    {
        if (dry || capReached || hosts.Queued >= size / 2)
        {
            return;
        }
        widenedInVain = false;
        await TakeAsync(size - hosts.Queued, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes another half-window while slots are free and every request held waits for its host; true when the
    /// batch brought a host that had nothing waiting (which may fill a slot), false when there was nothing to take.
    /// </summary>
    public async Task<bool> WidenAsync(bool capReached, CancellationToken cancellationToken)
    {
        if (dry || capReached || widenedInVain || hosts.Queued + size / 2 > widest)
        {
            return false;
        }
        widenedInVain = await TakeAsync(size / 2, cancellationToken).ConfigureAwait(false) == 0;
        return !widenedInVain;
    }

    /// <summary>Links were added to the frontier: it is worth taking from again.</summary>
    public void Added()
    {
        dry = false;
        finished = false;
    }

    /// <summary>
    /// <paramref name="links"/> were added to the frontier: it is worth taking from again, and widening again when one
    /// is for a host with nothing waiting here (found after a widening brought none, it may fill a slot).
    /// </summary>
    public void Added(IReadOnlyList<CrawlRequest> links)
    {
        Added();
        if (widenedInVain && links.Any(link => !hosts.HasWaiting(link.HostKey)))
        {
            widenedInVain = false;
        }
    }

    /// <summary>The frontier's word arrived.</summary>
    public void Heard(FrontierEvent word)
    {
        if (word.Finished)
        {
            // Only news while still dry: work found since then makes the crawl not over.
            finished = dry;
        }
        else
        {
            dry = false;
        }
    }

    /// <summary>Takes up to <paramref name="max"/> requests into the host scheduler; returns how many hosts had nothing waiting before.</summary>
    private async Task<int> TakeAsync(int max, CancellationToken cancellationToken)
    {
        var batch = await frontier.TakeAsync(max, cancellationToken).ConfigureAwait(false);
        var newHosts = 0;
        foreach (var request in batch)
        {
            newHosts += hosts.Enqueue(request) ? 1 : 0;
        }
        dry = batch.Count == 0;
        finished = false;
        if (dry && Watch.IsCompleted)
        {
            Watch = WatchAsync(cancellationToken);
        }
        return newHosts;
    }

    /// <summary>
    /// The frontier is dry here, but another process sharing it may still add work: the frontier says when
    /// to take again, or that the crawl is over everywhere. An event, so the loop goes on meanwhile.
    /// </summary>
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        bool over;
        try
        {
            over = await frontier.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        events.TryWrite(new FrontierEvent(over));
    }
}
