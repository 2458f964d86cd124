using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>The default frontier: a FIFO queue (so the crawl is breadth-first) and a seen set, in memory.</summary>
internal sealed class MemoryFrontier : IFrontier
{
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);
    private readonly Queue<CrawlRequest> queue = new();
    private CrawlCheckpoint checkpoint = CrawlCheckpoint.Empty;

    public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => ValueTask.FromResult(checkpoint);

    public ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var added = seen.Add(request.Key);
        if (added)
        {
            queue.Enqueue(request);
        }
        return ValueTask.FromResult(added);
    }

    public ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken) =>
        ValueTask.FromResult(seen.Add(hop.Key));

    public ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
    {
        var batch = new List<CrawlRequest>(Math.Min(max, queue.Count));
        while (batch.Count < max && queue.TryDequeue(out var request))
        {
            batch.Add(request);
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
        queue.Enqueue(request);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
