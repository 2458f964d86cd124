using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Testing;

/// <summary>
/// A memory frontier that remembers which URLs were completed (saved) and every token it was given, and
/// that can go silent like a store in an outage: then each call waits until its token is cancelled.
/// </summary>
public sealed class WatchedFrontier : IFrontier
{
    private readonly MemoryFrontier inner = new();
    private readonly HashSet<string> completed = [];
    private readonly List<CancellationToken> tokens = [];
    private readonly TaskCompletionSource waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool silent;

    public int Completed
    {
        get
        {
            lock (completed)
            {
                return completed.Count;
            }
        }
    }

    /// <summary>Every token a call was given, in call order.</summary>
    public IReadOnlyList<CancellationToken> Tokens
    {
        get
        {
            lock (tokens)
            {
                return [.. tokens];
            }
        }
    }

    /// <summary>Completes when a call first waits on the silent frontier.</summary>
    public Task Waiting => waiting.Task;

    /// <summary>From now on, every call waits until its token is cancelled, as a call to a store that is out.</summary>
    public void GoSilent() => silent = true;

    public bool IsCompleted(string url)
    {
        lock (completed)
        {
            return completed.Contains(url);
        }
    }

    public async ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken);
        return await inner.CheckpointAsync(cancellationToken);
    }

    public async ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken);
        return await inner.AddAsync(request, cancellationToken);
    }

    public async ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken);
        return await inner.MarkSeenAsync(hop, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken);
        return await inner.TakeAsync(max, cancellationToken);
    }

    public async ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken);
        lock (completed)
        {
            completed.UnionWith(done.Select(r => r.Key));
        }
        await inner.CompleteAsync(done, checkpoint, cancellationToken);
    }

    public async ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        await CallAsync(cancellationToken);
        await inner.ReleaseAsync(request, cancellationToken);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private async Task CallAsync(CancellationToken cancellationToken)
    {
        lock (tokens)
        {
            tokens.Add(cancellationToken);
        }
        if (silent)
        {
            waiting.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
