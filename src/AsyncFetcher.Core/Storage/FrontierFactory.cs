using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// Chooses the frontier from the options, in this one place: in memory by default, a SQLite file
/// with <c>--state FILE</c> (emptied first with <c>--fresh</c>), or Redis shared by several workers
/// with <c>--frontier redis://...</c>, which brings the host gate that keeps per-host limits across them.
/// A re-crawl (<c>--recrawl</c>) needs the SQLite file: it is where the pages and their versions are.
/// </summary>
internal static class FrontierFactory
{
    /// <summary>Registers the frontier and the host gate the options choose, unless the caller registered its own.</summary>
    public static IServiceCollection AddFrontier(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new RedisCrawl(Options(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisCrawl>>()));
        services.TryAddSingleton<IFrontier>(sp => IsShared(sp)
            ? new RedisFrontier(sp.GetRequiredService<RedisCrawl>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisFrontier>>())
            : Create(Options(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("asyncfetch")));
        services.TryAddSingleton<IHostGate>(sp => IsShared(sp)
            ? new RedisHostGate(sp.GetRequiredService<RedisCrawl>(), Options(sp), sp.GetRequiredService<TimeProvider>())
            : new LocalHostGate());
        return services;
    }

    /// <summary>The frontier of a crawl in this process: in memory, or the <c>--state</c> file.</summary>
    /// <exception cref="InvalidDataException">The state file is not one asyncfetch can use.</exception>
    /// <exception cref="FrontierFailedException">The state file cannot be opened, or is in use (with <c>--fresh</c> too: it is emptied under its lock, never deleted under a running crawl).</exception>
    public static IFrontier Create(CrawlOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        if (string.IsNullOrEmpty(options.State))
        {
            return new MemoryFrontier();
        }
        if (!options.Recrawl)
        {
            return SqliteFrontier.Open(options.State, options.Fresh);
        }
        var before = options.RecrawlAfter > TimeSpan.Zero ? (time ?? TimeProvider.System).GetUtcNow() - options.RecrawlAfter : (DateTimeOffset?)null;
        var (frontier, round, started, queued) = SqliteFrontier.OpenForRecrawl(options.State, before, options.Fresh);
        if (started)
        {
            logger?.LogInformation("re-crawl {Round}: {Pages} known page(s) to fetch again{After}", round, queued,
                before is null ? "" : $" (those fetched more than {Units.FormatDuration(options.RecrawlAfter)} ago)");
        }
        else
        {
            logger?.LogInformation("resuming re-crawl {Round}: {Pages} page(s) still to fetch", round, queued);
        }
        return frontier;
    }

    private static CrawlOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<CrawlOptions>>().Value;

    private static bool IsShared(IServiceProvider services) => !string.IsNullOrEmpty(Options(services).Frontier);
}
