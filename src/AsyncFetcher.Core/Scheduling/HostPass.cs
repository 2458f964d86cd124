namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The answer of an <see cref="IHostGate"/>: entered, or a task that completes when asking again may succeed;
/// <paramref name="AtCap"/> when turned away because every slot the crawl allows the host is taken.
/// </summary>
internal readonly record struct HostPass(Task? Retry, bool AtCap = false)
{
    public static HostPass Entered => default;

    public bool IsEntered => Retry is null;
}
