namespace AsyncFetcher.Core.Scheduling;

/// <summary>The gate of a crawl in one process: always open, as the <see cref="HostScheduler"/> alone keeps the limits.</summary>
internal sealed class LocalHostGate : IHostGate
{
    public ValueTask<HostPass> EnterAsync(string hostKey, TimeSpan interval, CancellationToken cancellationToken) => ValueTask.FromResult(HostPass.Entered);

    public ValueTask ExitAsync(string hostKey, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
