namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// Per-host politeness beyond this process: asked before each request the <see cref="HostScheduler"/> picked.
/// The scheduler already keeps this process's per-host limit and interval; a gate shared by several
/// processes (Storage/RedisHostGate) keeps them for all of them together. Called from the
/// engine's loop only.
/// </summary>
internal interface IHostGate
{
    /// <summary>Asks to start one request to the host; a granted slot is held until <see cref="ExitAsync"/>.</summary>
    ValueTask<HostPass> EnterAsync(string hostKey, TimeSpan interval, CancellationToken cancellationToken);

    /// <summary>A request to the host finished: its slot is free.</summary>
    ValueTask ExitAsync(string hostKey, CancellationToken cancellationToken);
}
