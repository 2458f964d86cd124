using System.Diagnostics;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>The default frontier: a FIFO queue (so the crawl is breadth-first) and a seen set, in memory.</summary>
/// <remarks>
/// A queued URL is held as its key string (the very instance in the seen set), its depth, and the
/// parent and scope strings it shares with its siblings: a few dozen bytes beyond the seen entry,
/// where a <see cref="CrawlRequest"/> with its <see cref="Uri"/> cost about 700. The Uri is built
/// again when the URL is taken, a microsecond for a URL that is about to be fetched.
/// </remarks>
internal sealed class MemoryFrontier : IFrontier
{
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Queue<Queued> queue = new();
    private CrawlCheckpoint checkpoint = CrawlCheckpoint.Empty;

    public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => ValueTask.FromResult(checkpoint);

    public ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var key = request.Key;
        var added = seen.Add(key);
        if (added)
        {
            queue.Enqueue(Queued.From(request, key));
        }
        return ValueTask.FromResult(added);
    }

    public ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken) =>
        ValueTask.FromResult(seen.Add(hop.Key));

    public ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
    {
        var batch = new List<CrawlRequest>(Math.Min(max, queue.Count));
        while (batch.Count < max && queue.TryDequeue(out var queued))
        {
            batch.Add(queued.ToRequest());
        }
        return ValueTask.FromResult<IReadOnlyList<CrawlRequest>>(batch);
    }

    public ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        this.checkpoint = checkpoint;
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        queue.Enqueue(Queued.From(request, request.Key));
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

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
