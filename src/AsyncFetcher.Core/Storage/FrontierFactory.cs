using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// Chooses the frontier from the options, in this one place: in memory by default, a SQLite file
/// with <c>--state FILE</c> (deleted first with <c>--fresh</c>).
/// </summary>
internal static class FrontierFactory
{
    /// <exception cref="InvalidDataException">The state file is not one asyncfetch can use.</exception>
    /// <exception cref="IOException">The state file cannot be opened or deleted, or is in use.</exception>
    public static IFrontier Create(CrawlOptions options)
    {
        if (string.IsNullOrEmpty(options.State))
        {
            return new MemoryFrontier();
        }
        if (options.Fresh)
        {
            SqliteFrontier.Delete(options.State);
        }
        return SqliteFrontier.Open(options.State);
    }
}
