using System.Diagnostics.CodeAnalysis;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Output;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Names, for the Native AOT compiler, the generic types that dependency injection closes at run
/// time (IOptions&lt;T&gt; → OptionsManager&lt;T&gt;, ILogger&lt;T&gt; → Logger&lt;T&gt;, …).
/// </summary>
/// <remarks>
/// DI builds <c>OptionsFactory&lt;CrawlOptions&gt;</c> from <c>OptionsFactory&lt;&gt;</c> with
/// MakeGenericType. Under Native AOT a type the compiler never saw is assembled by the runtime's type
/// loader, which is slow. Naming the types here makes the compiler lay them out ahead of time, and the
/// type loader then finds them ready-made. The internal ones (the host's logger, the options behind
/// ValidateOnStart and AddMetrics) cannot be named in C#: <c>AotTypes.rd.xml</c> names them.
/// </remarks>
internal static class AotTypeRoots
{
    [SuppressMessage("Performance", "CA1823", Justification = "Referenced only so that the compiler keeps the types.")]
    private static readonly Type[] Types =
    [
        .. Options<CrawlOptions>(),
        .. Options<HostOptions>(),
        .. Options<LoggerFilterOptions>(),
        .. Options<Polly.Telemetry.TelemetryOptions>(),
        typeof(Microsoft.Extensions.Options.ConfigurationChangeTokenSource<CrawlOptions>),
        typeof(IOptionsMonitorCache<CrawlOptions>),
        typeof(Logger<CrawlEngine>),
        typeof(Logger<BodyStore>),
        typeof(Logger<SignalLifetime>),
    ];

    /// <summary>Touches the list, so that the field (and with it the types) is not trimmed away.</summary>
    public static int Count => Types.Length;

    private static Type[] Options<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>()
        where T : class =>
    [
        typeof(OptionsManager<T>), typeof(OptionsMonitor<T>), typeof(OptionsFactory<T>), typeof(OptionsCache<T>),
        typeof(IConfigureOptions<T>[]), typeof(IPostConfigureOptions<T>[]), typeof(IValidateOptions<T>[]),
        typeof(IOptionsChangeTokenSource<T>[]), typeof(IOptions<T>), typeof(IOptionsMonitor<T>), typeof(IOptionsFactory<T>),
    ];
}
