using System.Diagnostics;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The default frontier, in memory: a seen set, and a FIFO queue per host (so each host's pages are
/// crawled breadth-first) that hosts take turns to be taken from.
/// </summary>
/// <remarks>
/// <para>
/// Hosts take turns because the engine holds a window of taken requests, not the whole frontier: taken
/// oldest first across hosts, and a page's links being on its own host, the window held the next pages of
/// the hosts found first, which a per-host delay serves one at a time while the hosts found later waited
/// their turn in the frontier. 1,000 hosts at --delay 200ms and --max 100: the first 400 were done by
/// 8.6 s, the last 100 at 11.8 s, 6 of their 21 requests made by 5 s against 12–14 for the first ones. A
/// turn each, every known host progresses at the same pace and they end together (Heritrix's per-host
/// queues, taken in rotation, do the same).
/// </para>
/// <para>
/// A queued URL is held as its key string (the very instance in the seen set), its depth, and the
/// parent and scope strings it shares with its siblings: a few dozen bytes beyond the seen entry,
/// where a <see cref="CrawlRequest"/> with its <see cref="Uri"/> cost about 700. The Uri is built
/// again when the URL is taken, a microsecond for a URL that is about to be fetched.
/// </para>
/// </remarks>
internal sealed class MemoryFrontier : IFrontier
{
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    /// <summary>Each host's queue while it holds URLs (dropped when it empties), by <see cref="CrawlRequest.HostKey"/>.</summary>
    private readonly Dictionary<string, HostQueue> byHost = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The hosts with URLs waiting, in turn: a take serves the first and puts it last while it has more.</summary>
    private readonly Queue<HostQueue> turns = new();

    /// <summary>The URLs waiting, over every host: a take's list is sized to what it can get, not to what it asks for.</summary>
    private int waiting;

    private CrawlCheckpoint checkpoint = CrawlCheckpoint.Empty;

    public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => ValueTask.FromResult(checkpoint);

    public ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var key = request.Key;
        var added = seen.Add(key);
        if (added)
        {
            Enqueue(request, key);
        }
        return ValueTask.FromResult(added);
    }

    public ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken) =>
        ValueTask.FromResult(seen.Add(hop.Key));

    /// <summary>Takes up to <paramref name="max"/> requests, one from each host in turn, each host's oldest first.</summary>
    public ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
    {
        // The scheduler asks for a whole window (a thousand or more) after every page, and mostly gets that page's few
        // links: a list sized to the request was an 8 KiB array a page, a tenth of what postgresql-doc allocated.
        var batch = new List<CrawlRequest>(Math.Min(max, waiting));
        while (batch.Count < max && turns.TryDequeue(out var host))
        {
            batch.Add(host.Waiting.Dequeue().ToRequest());
            waiting--;
            if (host.Waiting.Count > 0)
            {
                turns.Enqueue(host);
            }
            else
            {
                byHost.Remove(host.Key);
            }
        }
        return ValueTask.FromResult<IReadOnlyList<CrawlRequest>>(batch);
    }

    public bool Holds(string hostKey) => byHost.ContainsKey(hostKey);

    public ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        this.checkpoint = checkpoint;
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        Enqueue(request, request.Key);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Queues the URL behind its host's others; a host that had none joins the turns, last.</summary>
    private void Enqueue(CrawlRequest request, string key)
    {
        var hostKey = request.HostKey;
        if (!byHost.TryGetValue(hostKey, out var host))
        {
            host = new HostQueue(hostKey);
            byHost.Add(hostKey, host);
            turns.Enqueue(host);
        }
        host.Waiting.Enqueue(Queued.From(request, key));
        waiting++;
    }

    /// <summary>One host's URLs waiting, oldest first.</summary>
    private sealed class HostQueue(string key)
    {
        public string Key { get; } = key;

        public Queue<Queued> Waiting { get; } = new();
    }

    /// <summary>A queued URL, without its <see cref="Uri"/>: the frontier only ever holds links and seeds, never redirect hops.</summary>
    private readonly record struct Queued(string Url, int Depth, string? Parent, string ScopeHost)
    {
        public static Queued From(CrawlRequest request, string key)
        {
            Debug.Assert(request.Redirect is null, "redirect hops are fetched at once, never queued in the frontier");
            return new Queued(key, request.Depth, request.Parent, request.ScopeHost);
        }

        public CrawlRequest ToRequest() => new(new Uri(Url, UriKind.Absolute), Depth, Parent, ScopeHost);
    }
}
