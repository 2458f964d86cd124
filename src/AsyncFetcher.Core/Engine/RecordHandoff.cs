using System.Threading.Channels;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// Hands each record to the consumer, and saves its page as done in the frontier only once the consumer
/// has handled the record (<see cref="CrawlRun.Acknowledge"/>), never when it is merely queued: with a
/// state file, a crash between the two re-fetches the page instead of losing its record, and the output
/// length saved with the page lets a resume drop a record written but not saved. Called by the
/// scheduler loop only.
/// </summary>
/// <param name="frontier">Where pages are saved as done.</param>
/// <param name="results">The records, to the consumer.</param>
/// <param name="events">The loop's events: acknowledgements queued up behind the one being saved are taken with it.</param>
/// <param name="output">The output file and its length, saved with each page; null for standard output.</param>
/// <param name="stats">The live counters: a record counts once it is handed out.</param>
internal sealed class RecordHandoff(IFrontier frontier, ChannelWriter<CrawlResult> results, ChannelReader<Event> events, OutputCursor? output, CrawlStats stats)
{
    /// <summary>Acknowledgements saved in one frontier step at most, so one step stays short.</summary>
    private const int MaxGroup = 256;

    /// <summary>Pages whose records went to the consumer and wait for its acknowledgement, in record order.</summary>
    private readonly Queue<Unsaved> unsaved = new();

    /// <summary>What the frontier holds as saved: pages over every run, and the output's length after the last saved page.</summary>
    public CrawlCheckpoint Saved { get; private set; } = CrawlCheckpoint.Empty;

    /// <summary>Records handed to the consumer and not acknowledged yet.</summary>
    public int Unacknowledged => unsaved.Count;

    /// <summary>Reads what earlier runs on the same state saved.</summary>
    public async Task<CrawlCheckpoint> LoadAsync(CancellationToken cancellationToken)
    {
        Saved = await frontier.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        return Saved;
    }

    /// <summary>
    /// Hands <paramref name="result"/> to the consumer, waiting while the results channel is full; the
    /// record's page, <paramref name="origin"/>, is saved when the consumer acknowledges it.
    /// </summary>
    /// <param name="fetched">The page was fetched (it counts against --max-pages), not only refused.</param>
    /// <param name="abort">Cancelled when nobody reads records any more: then the page stays unsaved (taken), as if in flight.</param>
    public async Task EmitAsync(CrawlResult result, CrawlRequest origin, bool fetched, CancellationToken abort)
    {
        try
        {
            await results.WriteAsync(result, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            return;
        }
        stats.RecordResult(result);
        unsaved.Enqueue(new Unsaved(origin, fetched, Failed: result.Error is not null));
    }

    /// <summary>
    /// Saves acknowledged pages as done, with the checkpoint, in one frontier step. Acknowledgements
    /// that queued up meanwhile are saved in the same step (a group commit): one transaction per page
    /// would make the state file the bottleneck.
    /// </summary>
    public async Task SaveAsync(AckEvent ack, CancellationToken cancellationToken)
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
            if (pages.Count >= MaxGroup || !events.TryPeek(out var next) || next is not AckEvent more)
            {
                break;
            }
            events.TryRead(out _);
            outputLength = more.OutputLength;
        }
        Saved = new CrawlCheckpoint(Saved.Pages + fetched, output?.Path ?? Saved.Output, outputLength ?? Saved.OutputLength);
        await frontier.CompleteAsync(pages, failed, Saved, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves a page that gets no record (a link robots.txt disallows) at once, with the checkpoint as it stands.</summary>
    public ValueTask CompleteUnrecordedAsync(CrawlRequest origin, CancellationToken cancellationToken) =>
        frontier.CompleteAsync([origin], Saved, cancellationToken);

    /// <summary>A page whose record waits for the consumer's acknowledgement; then it is saved as done.</summary>
    private sealed record Unsaved(CrawlRequest Done, bool Fetched, bool Failed);
}
