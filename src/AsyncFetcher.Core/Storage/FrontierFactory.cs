using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// Chooses where the crawl's frontier lives, from the options: in memory (the default), or in Redis shared
/// by several workers (<c>--frontier redis://...</c>), which brings the host gate that keeps per-host limits
/// across them. Registered unless the caller registered its own.
/// </summary>
internal static class FrontierFactory
{
    public static IServiceCollection AddFrontier(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new RedisCrawl(Options(sp), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisCrawl>>()));
        services.TryAddSingleton<IFrontier>(sp => IsShared(sp)
            ? new RedisFrontier(sp.GetRequiredService<RedisCrawl>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RedisFrontier>>())
            : new MemoryFrontier());
        services.TryAddSingleton<IHostGate>(sp => IsShared(sp)
            ? new RedisHostGate(sp.GetRequiredService<RedisCrawl>(), Options(sp), sp.GetRequiredService<TimeProvider>())
            : new LocalHostGate());
        return services;
    }

    private static CrawlOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<CrawlOptions>>().Value;

    private static bool IsShared(IServiceProvider services) => !string.IsNullOrEmpty(Options(services).Frontier);
}
