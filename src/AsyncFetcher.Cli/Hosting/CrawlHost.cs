using AsyncFetcher.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Builds the generic host for a command: configuration layered appsettings.json → --config file →
/// ASYNCFETCH_ environment variables → flags; logging to standard error; the crawler's services;
/// and the signal lifetime that turns Ctrl+C into a graceful stop.
/// </summary>
internal static class CrawlHost
{
    public static IHost Build(IDictionary<string, string?> flags, string? configFile, bool quiet, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }
        builder.Configuration.AddEnvironmentVariables("ASYNCFETCH_");
        builder.Configuration.AddInMemoryCollection(flags);
        DurationSettings.Normalize(builder.Configuration);
        GC.KeepAlive(AotTypeRoots.Count);

        builder.Logging.ClearProviders();
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // Straight to standard error, no queue and no thread of its own (TerseLogger says why).
        builder.Logging.AddProvider(new TerseLogger());
        // Every failure is already in its record; Polly's per-attempt log lines would repeat it.
        builder.Logging.AddFilter("Polly", LogLevel.None);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (quiet)
        {
            // A rule without a category, added last, overrides the configured default level.
            builder.Logging.AddFilter(level => level >= LogLevel.Warning);
        }

        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        builder.Services.AddOptions<CrawlOptions>().Bind(builder.Configuration.GetSection(CrawlOptions.Section));
        builder.Services.AddAsyncFetcher();
        builder.Services.AddSingleton<SignalLifetime>();
        builder.Services.AddSingleton<IHostLifetime>(sp => sp.GetRequiredService<SignalLifetime>());
        configure?.Invoke(builder.Services);
        return builder.Build();
    }
}
