namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// Per-host politeness beyond this process: asked before each request the <see cref="HostScheduler"/> picked.
/// The scheduler already keeps this process's per-host limit and interval; a gate shared by several
/// processes (Storage/RedisHostGate) keeps them for all of them together, and shares each host's
/// robots.txt, so a crawl fetches it once. Called from the engine's loop only.
/// </summary>
internal interface IHostGate
{
    /// <summary>Asks to start one request to the host; a granted slot is held until <see cref="ExitAsync"/>.</summary>
    ValueTask<HostPass> EnterAsync(string hostKey, TimeSpan interval, CancellationToken cancellationToken);

    /// <summary>A request to the host finished: its slot is free.</summary>
    ValueTask ExitAsync(string hostKey, CancellationToken cancellationToken);

    // For a gate shared by several processes. The defaults are what a gate in one process means, so it need not implement them.

    /// <summary>
    /// Before fetching a host's robots.txt: whether the crawl knows it already (another process fetched it), or this
    /// process is to fetch it, or another is fetching it now (wait, then ask again). In one process: fetch it.
    /// </summary>
    ValueTask<RobotsClaim> ClaimRobotsAsync(string hostKey, CancellationToken cancellationToken) => ValueTask.FromResult(RobotsClaim.Fetch);

    /// <summary>This process fetched the host's robots.txt, as <see cref="ClaimRobotsAsync"/> asked: the crawl's other processes may use it.</summary>
    ValueTask ShareRobotsAsync(string hostKey, RobotsAnswer answer, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
