using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The crawl's memory of URLs: which were seen, which wait, which are done. The engine talks
/// only to this interface, so the in-memory default, the SQLite state file and a shared Redis
/// frontier are interchangeable. Called from the engine's scheduler loop only, one call at a time.
/// </summary>
internal interface IFrontier : IAsyncDisposable
{
    /// <summary>What earlier runs on the same state saved (<see cref="CrawlCheckpoint.Empty"/> for a new one).</summary>
    ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Queues the request unless its <see cref="CrawlRequest.Key"/> was seen before; true when queued.</summary>
    ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Records a redirect hop's URL as seen without queuing it (the hop is fetched at once, for
    /// the record of its origin, which stays taken until the hop completes); false when seen before.
    /// </summary>
    ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken);

    /// <summary>Takes up to <paramref name="max"/> queued requests, oldest first; they stay taken until completed or released.</summary>
    ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken);

    /// <summary>
    /// Marks taken requests (and the redirect hops seen for them) done and saves
    /// <paramref name="checkpoint"/>, as one step: after a crash either all of it happened or none.
    /// Links found on a page are added before it is completed, so a durable frontier that saves this
    /// step also saves them, by then at the latest. Usually one request; more when their records
    /// were acknowledged together.
    /// </summary>
    ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Puts a taken request back in the queue (its fetch was cancelled), so a resumed crawl fetches it.</summary>
    ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Whether URLs of the host (a <see cref="CrawlRequest.HostKey"/>) are known to wait here, not taken yet: then the
    /// connection to it is kept for them. A frontier that cannot tell cheaply says false, and the host's connection is
    /// closed after the last of its URLs the engine holds.
    /// </summary>
    bool Holds(string hostKey) => false;

    // For a frontier shared by several processes. The defaults are what an embedded frontier means, so it need not implement them.

    /// <summary>
    /// This process's name when the frontier is shared with other processes (it is stamped on records); null
    /// for an embedded frontier. A shared frontier is taken from in small batches, so the others get work too.
    /// </summary>
    string? Worker => null;

    /// <summary>Queues the requests not seen before, as <see cref="AddAsync(CrawlRequest, CancellationToken)"/> does one: a shared frontier does it in one round trip.</summary>
    async ValueTask AddAsync(IReadOnlyList<CrawlRequest> requests, CancellationToken cancellationToken)
    {
        foreach (var request in requests)
        {
            await AddAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Queues the URLs a sitemap lists, as <see cref="AddAsync(IReadOnlyList{CrawlRequest}, CancellationToken)"/> does links.
    /// Each comes with its <c>&lt;lastmod&gt;</c>: the hook for a re-crawl, which knows when it last fetched each page and
    /// may leave out those not modified since. The default queues them all.
    /// </summary>
    ValueTask AddListedAsync(IReadOnlyList<ListedUrl> listed, CancellationToken cancellationToken) =>
        AddAsync([.. listed.Select(static l => l.Request)], cancellationToken);

    /// <summary>
    /// <see cref="CompleteAsync(IReadOnlyList{CrawlRequest}, CrawlCheckpoint, CancellationToken)"/>, told which of
    /// <paramref name="done"/> got a record with an error: a shared frontier counts them for <c>asyncfetch status</c>.
    /// </summary>
    ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, IReadOnlyList<CrawlRequest> failed, CrawlCheckpoint checkpoint, CancellationToken cancellationToken) =>
        CompleteAsync(done, checkpoint, cancellationToken);

    /// <summary>
    /// Counts <paramref name="page"/> against a crawl-wide cap of <paramref name="cap"/> pages (--max-pages), just before
    /// it is fetched: false once the cap is reached. A page counted before (fetched again after its worker died) is not
    /// counted twice. An embedded frontier answers true: the engine's own count is the crawl's.
    /// </summary>
    ValueTask<bool> CountPageAsync(CrawlRequest page, long cap, CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>
    /// Called when <see cref="TakeAsync"/> found nothing: completes with true when the crawl is over everywhere,
    /// or with false when taking again may find work (another process queued some, or the lease of a process
    /// that stopped expired). An embedded frontier answers true at once: only this process adds to it.
    /// </summary>
    ValueTask<bool> WaitAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);
}
