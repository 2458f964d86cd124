using AsyncFetcher.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// The crawler's real services (engine, fetcher, resilient HttpClient) built from options given in
/// code, for the demos that use the Core types: no appsettings.json, environment or flags.
/// </summary>
internal static class DemoServices
{
    public static ServiceProvider Build(CrawlOptions options, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.None));
        services.AddSingleton(Options.Create(options));
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddAsyncFetcher();
        return services.BuildServiceProvider();
    }
}
