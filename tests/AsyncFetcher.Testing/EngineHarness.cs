using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Testing;

/// <summary>Builds the engine the way the CLI does (DI, options, resilient HttpClient) and collects a crawl's records.</summary>
public static class EngineHarness
{
    public static ServiceProvider Build(CrawlOptions options, TimeProvider? time = null, Action<IServiceCollection>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<IOptions<CrawlOptions>>(Options.Create(options));
        if (time is not null)
        {
            services.AddSingleton(time);
        }
        services.AddAsyncFetcher();
        // Last, so a test's registrations win (a later AddSingleton replaces the frontier the options chose).
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    public static async Task<List<CrawlResult>> CrawlAsync(CrawlOptions options, params Uri[] seeds)
    {
        await using var provider = Build(options);
        return await CrawlAsync(provider, seeds, CancellationToken.None);
    }

    public static async Task<List<CrawlResult>> CrawlAsync(ServiceProvider provider, Uri[] seeds, CancellationToken stop)
    {
        var engine = provider.GetRequiredService<CrawlEngine>();
        var results = new List<CrawlResult>();
        await foreach (var result in engine.RunAsync(seeds, stop))
        {
            results.Add(result);
        }
        return results;
    }

    /// <summary>Options for a fast test crawl: no retries, short timeouts.</summary>
    public static CrawlOptions Fast(int max = 10, int depth = 100) => new()
    {
        Max = max,
        Depth = depth,
        Retries = 0,
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Options for a test of the resilience pipeline: one seed, no robots.txt, retries as asked, and attempt timeouts that never fire unless a test advances the clock that far.</summary>
    public static CrawlOptions Resilient(int retries, TimeSpan retryDelay) => new()
    {
        Max = 4,
        Depth = 0,
        Retries = retries,
        RetryDelay = retryDelay,
        // Long enough that no attempt timeout ever fires unless a test advances the clock that far.
        Timeout = TimeSpan.FromHours(1),
        // No minimum rate: these tests jump the clock by whole backoffs and pauses, which could land while a
        // small response is between its first byte and its end (SlowServerTests test the minimum rate).
        MinRate = "0",
        Robots = false,
    };

    /// <summary>Crawls on <paramref name="clock"/>, advancing it by every short wait the crawl starts (<see cref="WatchedClock.PumpAsync"/>); returns the records and those waits.</summary>
    public static async Task<(List<CrawlResult> Results, List<TimeSpan> Waits)> CrawlAsync(CrawlOptions options, WatchedClock clock, params Uri[] seeds)
    {
        ArgumentNullException.ThrowIfNull(clock);
        await using var provider = Build(options, clock);
        return await clock.PumpAsync(CrawlAsync(provider, seeds, CancellationToken.None));
    }
}
