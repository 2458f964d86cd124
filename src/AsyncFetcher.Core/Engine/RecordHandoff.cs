using System.Threading.Channels;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output.Warc;
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
/// <param name="archive">The WARC file and its position, saved with each page; null without --warc.</param>
internal sealed class RecordHandoff(IFrontier frontier, ChannelWriter<CrawlRecord> results, ChannelReader<Event> events, OutputCursor? output, ArchiveCursor? archive, CrawlStats stats)
{
    /// <summary>Acknowledgements saved in one frontier step at most, so one step stays short.</summary>
    private const int MaxGroup = 256;

    /// <summary>Pages whose records went to the consumer and wait for its acknowledgement, in record order.</summary>
    private readonly Queue<Unsaved> unsaved = new();

    /// <summary>With --warc, the exchanges of redirect hops whose chain has not ended, by the origin's key: they go with its record.</summary>
    private readonly Dictionary<string, List<HttpCapture>> hops = new(StringComparer.Ordinal);

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
    /// <param name="capture">With --warc, the exchange of the last response, archived after the chain's hops.</param>
    /// <param name="version">What to save of the page for a later re-crawl (with a state file); null to leave what is saved.</param>
    public async Task EmitAsync(CrawlResult result, CrawlRequest origin, bool fetched, CancellationToken abort, HttpCapture? capture = null, PageVersion? version = null)
    {
        var record = new CrawlRecord(result, Captures(origin, capture));
        try
        {
            await results.WriteAsync(record, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            record.Dispose();
            return;
        }
        stats.RecordResult(result);
        unsaved.Enqueue(new Unsaved(version is null ? origin : origin with { Version = version }, fetched, Failed: result.Error is not null));
    }

    /// <summary>Hands on exchanges that belong to no record (robots.txt), to be archived; acknowledged like a record, with no page to save.</summary>
    public async Task EmitArchiveAsync(IReadOnlyList<HttpCapture> captures, CancellationToken abort)
    {
        var record = new CrawlRecord(null, captures);
        try
        {
            await results.WriteAsync(record, abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            record.Dispose();
            return;
        }
        unsaved.Enqueue(new Unsaved(null, Fetched: false, Failed: false));
    }

    /// <summary>Keeps the exchange of a redirect hop until its chain ends (<paramref name="origin"/>'s record, or its release).</summary>
    public void HoldHop(CrawlRequest origin, HttpCapture capture)
    {
        if (!hops.TryGetValue(origin.Key, out var list))
        {
            hops[origin.Key] = list = [];
        }
        list.Add(capture);
    }

    /// <summary>The chain of <paramref name="origin"/> ends without a record (it goes back to the frontier): its hops' exchanges are dropped.</summary>
    public void ForgetHops(CrawlRequest origin)
    {
        if (hops.Remove(origin.Key, out var list))
        {
            list.ForEach(c => c.Dispose());
        }
    }

    /// <summary>The run is over: exchanges of chains that never ended are dropped.</summary>
    public void ForgetAllHops()
    {
        foreach (var list in hops.Values)
        {
            list.ForEach(c => c.Dispose());
        }
        hops.Clear();
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
        var taken = 0;
        var last = ack;
        while (true)
        {
            var page = unsaved.Dequeue();
            taken++;
            if (page.Done is { } done)
            {
                pages.Add(done);
                if (page.Failed)
                {
                    failed.Add(done);
                }
            }
            fetched += page.Fetched ? 1 : 0;
            if (taken >= MaxGroup || !events.TryPeek(out var next) || next is not AckEvent more)
            {
                break;
            }
            events.TryRead(out _);
            last = more;
        }
        Saved = new CrawlCheckpoint(Saved.Pages + fetched, output?.Path ?? Saved.Output, last.OutputLength ?? Saved.OutputLength)
        {
            Warc = archive is null ? Saved.Warc : last.Warc,
            WarcLength = archive is null ? Saved.WarcLength : last.WarcLength,
        };
        await frontier.CompleteAsync(pages, failed, Saved, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Saves a page that gets no record (a link robots.txt disallows) at once, with the checkpoint as it stands.</summary>
    /// <remarks>Redirect hops it took on the way are archived all the same, as exchanges with no record.</remarks>
    public async Task CompleteUnrecordedAsync(CrawlRequest origin, CancellationToken cancellationToken, CancellationToken abort)
    {
        await frontier.CompleteAsync([origin], Saved, cancellationToken).ConfigureAwait(false);
        if (hops.Remove(origin.Key, out var list))
        {
            await EmitArchiveAsync(list, abort).ConfigureAwait(false);
        }
    }

    /// <summary>The exchanges that go with a record: the chain's hops, then its last response.</summary>
    private List<HttpCapture> Captures(CrawlRequest origin, HttpCapture? last)
    {
        var list = hops.Remove(origin.Key, out var held) ? held : [];
        if (last is not null)
        {
            list.Add(last);
        }
        return list;
    }

    /// <summary>A page whose record waits for the consumer's acknowledgement; then it is saved as done. Null for exchanges with no record.</summary>
    private sealed record Unsaved(CrawlRequest? Done, bool Fetched, bool Failed);
}
