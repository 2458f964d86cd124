using AsyncFetcher.Core.Engine;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The crawl's memory of URLs: which were seen, which wait, which are done. The engine talks
/// only to this interface, so the in-memory default, the SQLite state file and a shared Redis
/// frontier are interchangeable. Called from the engine's scheduler loop only, one call at a time.
/// </summary>
internal interface IFrontier : IAsyncDisposable
{
    /// <summary>Queues the request unless its <see cref="CrawlRequest.Key"/> was seen before; true when queued.</summary>
    ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Records a redirect hop's URL as seen without queuing it (the hop is fetched at once, for
    /// the record of its origin, which stays taken until the hop completes); false when seen before.
    /// </summary>
    ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> queued requests, oldest first; they stay taken until completed or released.</summary>
    ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken);

    /// <summary>Marks a taken request done and queues what it discovered (those not seen before), as one step.</summary>
    ValueTask CompleteAsync(CrawlRequest done, IReadOnlyList<CrawlRequest> discovered, CancellationToken cancellationToken);

    /// <summary>Puts a taken request back in the queue (its fetch was cancelled), so a resumed crawl fetches it.</summary>
    ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken);

    // Shared frontiers (issue 9). The defaults are what an embedded frontier means, so it need not implement them.

    /// <summary>
    /// This process's name when the frontier is shared with other processes (it is stamped on records); null
    /// for an embedded frontier. A shared frontier is taken from in small batches, so the others get work too,
    /// and a URL is marked done only once its record was handed on, so a killed worker's URL is fetched again, never lost.
    /// </summary>
    string? Worker => null;

    /// <summary>
    /// <see cref="CompleteAsync(CrawlRequest, IReadOnlyList{CrawlRequest}, CancellationToken)"/>, told the record
    /// written for the URL (null when none was): a shared frontier counts the failed ones for <c>asyncfetch status</c>.
    /// </summary>
    ValueTask CompleteAsync(CrawlRequest done, CrawlResult? record, IReadOnlyList<CrawlRequest> discovered, CancellationToken cancellationToken) =>
        CompleteAsync(done, discovered, cancellationToken);

    /// <summary>
    /// Called when <see cref="TakeAsync"/> found nothing: completes with true when the crawl is over everywhere,
    /// or with false when taking again may find work (another process queued some, or the lease of a process
    /// that stopped expired). An embedded frontier answers true at once: only this process adds to it.
    /// </summary>
    ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
