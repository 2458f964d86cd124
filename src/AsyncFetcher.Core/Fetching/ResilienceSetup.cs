using System.Net;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Output.Warc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// The crawler's one <see cref="HttpClient"/>: a pooled <see cref="SocketsHttpHandler"/> under one
/// resilience pipeline (total timeout → retry with backoff and Retry-After), then a circuit breaker
/// per host (scheme, host and port: <see cref="HostBreakers"/>), all configured from
/// <see cref="CrawlOptions"/>. Inside them, <see cref="AttemptHandler"/> counts and watches every real
/// request and <see cref="BodyReadingHandler"/> reads the body as part of the attempt. Under them,
/// <see cref="ConnectionGuard"/> opens each connection (refusing private networks) and
/// <see cref="WireStream"/> watches its bytes.
/// </summary>
/// <remarks>
/// <para>One layer retries: the pipeline's. SocketsHttpHandler's own re-send of a request whose
/// connection closed before any response is stopped by <see cref="WireStream"/>, and the handler has no
/// other; the engine sends a URL again only for a redirect hop or after a breaker held it back, and then
/// within the same retry budget (<see cref="AttemptCounter"/>).</para>
/// <para>Why not the standard pipeline selected by authority: it builds all five strategies for every
/// host (about 13 KB each, kept for the whole crawl: 130 MB for 10,000 hosts), when only the breaker needs
/// to be per host (about 2 KB); its attempt timeout is <see cref="Attempt"/>'s job here (time without
/// progress, not time in all), and its rate limiter never had anything to do (the engine bounds
/// concurrency).</para>
/// <para>Why the client is built here rather than by IHttpClientFactory (AddHttpClient): the factory
/// earns its keep where an application makes many short-lived clients, sharing their handlers and
/// replacing them every few minutes so DNS changes are seen. A crawler makes one client for its whole run,
/// and <see cref="SocketsHttpHandler.PooledConnectionLifetime"/> already renews its connections. Under
/// Native AOT, making the factory, its options, its logging and metrics filters and the handlers through
/// dependency injection took a tenth of a one-page crawl's start-up. For the same reason the pipeline is
/// built by <see cref="Build"/> and handed to a <see cref="ResilienceHandler"/> rather than registered
/// with AddResilienceHandler, which goes through Polly's pipeline registry.</para>
/// <para>Time: the pipeline is built with the <see cref="TimeProvider"/> registered in the container, and
/// the breakers are built with it too, so backoff, Retry-After waits, timeouts and the breaker's pause all
/// run on the injected clock; tests register a FakeTimeProvider and never wait for real.</para>
/// </remarks>
internal static class ResilienceSetup
{
    public static IServiceCollection AddCrawlerHttpClient(this IServiceCollection services)
    {
        services.TryAddSingleton<HostCircuits>();
        services.TryAddSingleton<BodyStore>();
        services.TryAddSingleton<ConnectionGuard>();
        services.TryAddSingleton<HttpCaptures>();
        services.TryAddSingleton<HostBreakers>();
        services.TryAddSingleton<PageBuffers>();
        services.TryAddSingleton(CreateClient);
        return services;
    }

    /// <summary>
    /// The client and its handlers, from the outside in: the resilience pipeline, the host's breaker, the
    /// attempt, the body, then any <see cref="DelegatingHandler"/> registered in the container (tests watch
    /// the wire with one), then the connection pool.
    /// </summary>
    private static HttpClient CreateClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<CrawlOptions>>();
        var time = services.GetRequiredService<TimeProvider>();
        HttpMessageHandler handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // gzip, deflate and brotli are decoded by BodyReadingHandler (ContentDecoding), which
            // notices a compressed stream cut short; --max-body limits the decoded size.
            AutomaticDecompression = DecompressionMethods.None,
            ConnectCallback = services.GetRequiredService<ConnectionGuard>().ConnectAsync,
            PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(new WireStream(context.PlaintextStream)),
            MaxConnectionsPerServer = Math.Max(options.Value.EffectiveMaxPerHost, 1),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = options.Value.Timeout,
            UseCookies = false,
        };
        foreach (var watcher in services.GetServices<DelegatingHandler>().Reverse())
        {
            watcher.InnerHandler = handler;
            handler = watcher;
        }
        handler = new BodyReadingHandler(options, services.GetRequiredService<BodyStore>(), services.GetRequiredService<PageBuffers>()) { InnerHandler = handler };
        handler = new AttemptHandler(options, time, services.GetRequiredService<HttpCaptures>()) { InnerHandler = handler };
        handler = new BreakerHandler(services.GetRequiredService<HostBreakers>()) { InnerHandler = handler };
        handler = new ResilienceHandler(Build(options.Value, time)) { InnerHandler = handler };

        // The pipeline's own timeouts govern; the client's would cut retries short.
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.Value.UserAgent);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
        client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", ContentDecoding.Accepted);
        return client;
    }

    /// <summary>Builds a pipeline of the default options and drops it: Polly's first build is the slow one.</summary>
    public static void Warm() => Build(new CrawlOptions(), TimeProvider.System);

    /// <summary>The one pipeline, on <paramref name="time"/>: its waits (backoff, Retry-After, the total timeout) run on that clock.</summary>
    public static ResiliencePipeline<HttpResponseMessage> Build(CrawlOptions options, TimeProvider time)
    {
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        Configure(pipeline, options, time);
        return pipeline.Build();
    }

    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, CrawlOptions options, TimeProvider time)
    {
        var budget = TotalBudget(options);
        pipeline.AddTimeout(new HttpTimeoutStrategyOptions
        {
            Timeout = budget,
            // A URL tried again after a breaker held it back has only what is left of its budget.
            TimeoutGenerator = args => ValueTask.FromResult(Counter(args.Context.GetRequestMessage()) is { } counter ? counter.Budget : budget),
        });
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = Math.Max(options.Retries, 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryDelay,
            // A Retry-After longer than --max-retry-after is not waited for: the response goes back as it
            // is, and the fetcher records why (RetryAfter.Exceeded).
            ShouldHandle = args => ValueTask.FromResult(
                options.Retries > 0 &&
                Counter(args.Context.GetRequestMessage())?.MayRetry != false &&
                TransientFailures.IsTransient(args.Outcome) &&
                !(args.Outcome.Result is { } response && RetryAfter.Exceeded(response, options.MaxRetryAfter, time) is not null)),
            // Replaces the standard Retry-After reader, which measures HTTP dates against the system clock.
            ShouldRetryAfterHeader = false,
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                args.Outcome.Result is { } response && RetryAfter.TryGet(response, time, out var delay) ? delay : null),
        });
    }

    /// <summary>The breaker's sampling window: 30 s, or two --timeout and a second when that is longer.</summary>
    public static TimeSpan SamplingDuration(CrawlOptions options) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, options.Timeout.Ticks * 2 + TimeSpan.TicksPerSecond));

    private static AttemptCounter? Counter(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(AttemptCounter.Key, out var counter) ? counter : null;

    /// <summary>
    /// The budget for one URL across its attempts: --total-timeout, or timeout × (retries + 1) plus,
    /// for each retry, the longer of its backoff and --max-retry-after, so the default budget never
    /// cuts short a wait that a Retry-After within the cap asked for. At most one day.
    /// </summary>
    public static TimeSpan TotalBudget(CrawlOptions options)
    {
        if (options.TotalTimeout > TimeSpan.Zero)
        {
            return options.TotalTimeout;
        }
        var seconds = options.Timeout.TotalSeconds * (options.Retries + 1) + 1;
        for (var i = 0; i < options.Retries; i++)
        {
            // 1.5: room for the jitter around each exponential step.
            seconds += Math.Max(options.RetryDelay.TotalSeconds * Math.Pow(2, i) * 1.5, options.MaxRetryAfter.TotalSeconds);
        }
        return TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds));
    }
}
