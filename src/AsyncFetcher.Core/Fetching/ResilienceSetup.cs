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
/// <para>Why the pipeline is built here (<see cref="Build"/>) and handed to a <see cref="ResilienceHandler"/>
/// rather than registered with AddResilienceHandler: that goes through Polly's pipeline registry, which
/// closes a dozen generic types over the registry's internal key when the client is first made. Under
/// Native AOT the runtime's type loader builds those at start-up: about a tenth of a one-page crawl's CPU.
/// Nothing else used the registry (no reloads, no named pipelines; Polly's log lines are filtered out).</para>
/// <para>Time: the pipeline is built with the <see cref="TimeProvider"/> registered in the container, and
/// the breakers are built with it too, so backoff, Retry-After waits, timeouts and the breaker's pause all
/// run on the injected clock; tests register a FakeTimeProvider and never wait for real.</para>
/// </remarks>
internal static class ResilienceSetup
{
    public const string ClientName = "asyncfetch";

    public static IHttpClientBuilder AddCrawlerHttpClient(this IServiceCollection services)
    {
        services.TryAddSingleton<HostCircuits>();
        services.TryAddSingleton<BodyStore>();
        services.TryAddSingleton<ConnectionGuard>();
        services.TryAddSingleton<HttpCaptures>();
        var builder = services.AddHttpClient(ClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<CrawlOptions>>().Value;
                client.DefaultRequestHeaders.UserAgent.Clear();
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
                client.DefaultRequestHeaders.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
                client.DefaultRequestHeaders.TryAddWithoutValidation("Accept-Encoding", ContentDecoding.Accepted);
                // The pipeline's own timeouts govern; the client's would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<CrawlOptions>>().Value;
                var guard = sp.GetRequiredService<ConnectionGuard>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    // gzip, deflate and brotli are decoded by BodyReadingHandler (ContentDecoding), which
                    // notices a compressed stream cut short; --max-body limits the decoded size.
                    AutomaticDecompression = DecompressionMethods.None,
                    ConnectCallback = guard.ConnectAsync,
                    PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(new WireStream(context.PlaintextStream)),
                    MaxConnectionsPerServer = Math.Max(options.EffectiveMaxPerHost, 1),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectTimeout = options.Timeout,
                    UseCookies = false,
                };
            })
            // The handler factory would otherwise recycle handlers (and their pools) every two minutes.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            // Every outcome is already in its record; the factory's per-request logging handlers
            // (which also redact each URI) would only cost time on the hot path.
            .RemoveAllLoggers();

        services.TryAddSingleton<HostBreakers>();
        builder.AddHttpMessageHandler(sp => new ResilienceHandler(Build(sp.GetRequiredService<IOptions<CrawlOptions>>().Value, sp.GetRequiredService<TimeProvider>())));

        // Added after the resilience handler, so they sit inside it and take part in every attempt.
        builder.AddHttpMessageHandler(sp => new BreakerHandler(sp.GetRequiredService<HostBreakers>()));
        builder.AddHttpMessageHandler(sp => new AttemptHandler(sp.GetRequiredService<IOptions<CrawlOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<HttpCaptures>()));
        builder.AddHttpMessageHandler(sp => new BodyReadingHandler(sp.GetRequiredService<IOptions<CrawlOptions>>(), sp.GetRequiredService<BodyStore>()));
        return builder;
    }

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
