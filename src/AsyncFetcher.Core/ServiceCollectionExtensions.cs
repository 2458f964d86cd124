using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core;

/// <summary>Registers the crawler's services; the host that calls it supplies configuration and logging.</summary>
public static class ServiceCollectionExtensions
{
    /// <summary>Adds the engine, the fetcher with its resilient HttpClient, and the frontier the options choose, with its host gate (unless others are registered).</summary>
    public static IServiceCollection AddAsyncFetcher(this IServiceCollection services)
    {
        services.AddOptions<CrawlOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CrawlOptions>, CrawlOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddFrontier();
        services.AddCrawlerHttpClient();
        services.TryAddSingleton<UrlCredentials>();
        services.AddSingleton(sp => new Fetcher(
            sp.GetRequiredService<HttpClient>(),
            sp.GetRequiredService<IOptions<CrawlOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<HostCircuits>(),
            sp.GetRequiredService<BodyStore>(),
            sp.GetRequiredService<ConnectionGuard>(),
            sp.GetRequiredService<UrlCredentials>(),
            sp.GetRequiredService<PageBuffers>()));
        services.AddSingleton<CrawlEngine>();
        return services;
    }
}
