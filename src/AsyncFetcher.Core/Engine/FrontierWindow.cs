using System.Threading.Channels;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// The scheduler loop's window on the frontier: takes requests in batches into the host scheduler, and
/// knows when the frontier has nothing more. Called by the loop only; the one task it starts (the watch
/// of a dry frontier) talks back by an event, like a worker.
/// </summary>
/// <param name="frontier">The crawl's memory of URLs.</param>
/// <param name="hosts">Where taken requests wait for their host.</param>
/// <param name="events">Where the watch of a dry frontier posts its word.</param>
/// <param name="size">How many requests the host scheduler may hold.</param>
internal sealed class FrontierWindow(IFrontier frontier, HostScheduler hosts, ChannelWriter<Event> events, int size)
{
    /// <summary>The last take found nothing: taking again waits for the frontier's word (a <see cref="FrontierEvent"/>).</summary>
    private bool dry;

    /// <summary>While dry, the frontier said the crawl is over everywhere.</summary>
    private bool finished;

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
        var batch = await frontier.TakeAsync(size - hosts.Queued, cancellationToken).ConfigureAwait(false);
        foreach (var request in batch)
        {
            hosts.Enqueue(request);
        }
        dry = batch.Count == 0;
        finished = false;
        if (dry && Watch.IsCompleted)
        {
            Watch = WatchAsync(cancellationToken);
        }
    }

    /// <summary>Links were added to the frontier: it is worth taking from again.</summary>
    public void Added()
    {
        dry = false;
        finished = false;
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
