namespace AsyncFetcher.Core.Scheduling;

/// <summary>The answer of an <see cref="IHostGate"/>: entered, or a task that completes when asking again may succeed.</summary>
internal readonly record struct HostPass(Task? Retry)
{
    public static HostPass Entered => default;

    public bool IsEntered => Retry is null;
}
