namespace AsyncFetcher.Cli.Demos;

/// <summary>Every <see cref="IDemo"/>, in the order of the docs chapters.</summary>
internal static class DemoCatalog
{
    public static IReadOnlyList<IDemo> All { get; } =
    [
        new AsyncAwaitDemo(),
        new TasksDemo(),
        new WhenAllDemo(),
        new WhenAnyDemo(),
        new WhenEachDemo(),
        new ChannelsDemo(),
        new SemaphoreDemo(),
        new AsyncDisposalDemo(),
        new AsyncStreamsDemo(),
        new CancellationDemo(),
        new ResilienceDemo(),
        new TimeDemo(),
    ];
}
