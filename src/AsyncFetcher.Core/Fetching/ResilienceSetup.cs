using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// The crawler's one <see cref="HttpClient"/>: a pooled <see cref="SocketsHttpHandler"/> under the
/// standard resilience pipeline (retry with backoff and Retry-After, per-host circuit breaker,
/// attempt and total timeouts), all configured from <see cref="CrawlOptions"/>.
/// </summary>
internal static class ResilienceSetup
{
    public const string ClientName = "asyncfetch";

    public static IHttpClientBuilder AddCrawlerHttpClient(this IServiceCollection services)
    {
        var builder = services.AddHttpClient(ClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<CrawlOptions>>().Value;
                client.DefaultRequestHeaders.UserAgent.Clear();
                client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", options.UserAgent);
                client.DefaultRequestHeaders.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8");
                // The pipeline's own timeouts govern; the client's would cut retries short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<CrawlOptions>>().Value;
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    AutomaticDecompression = DecompressionMethods.All,
                    MaxConnectionsPerServer = Math.Max(options.EffectiveMaxPerHost, 1),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    ConnectTimeout = options.Timeout,
                    UseCookies = false,
                };
            })
            // The handler factory would otherwise recycle handlers (and their pools) every two minutes.
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);

        builder.AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions resilience, IServiceProvider sp) =>
                Configure(resilience, sp.GetRequiredService<IOptions<CrawlOptions>>().Value))
            .SelectPipelineByAuthority();

        // Added after the resilience handler, so it sits inside it and sees every attempt.
        builder.AddHttpMessageHandler(() => new AttemptCountingHandler());
        return builder;
    }

    public static void Configure(HttpStandardResilienceOptions resilience, CrawlOptions options)
    {
        resilience.AttemptTimeout.Timeout = options.Timeout;
        resilience.TotalRequestTimeout.Timeout = TotalBudget(options);
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, options.Timeout.Ticks * 2 + TimeSpan.TicksPerSecond));
        resilience.Retry.BackoffType = DelayBackoffType.Exponential;
        resilience.Retry.UseJitter = true;
        resilience.Retry.Delay = options.RetryDelay;
        resilience.Retry.ShouldRetryAfterHeader = true;
        resilience.Retry.MaxRetryAttempts = Math.Max(options.Retries, 1);
        if (options.Retries == 0)
        {
            resilience.Retry.ShouldHandle = _ => PredicateResult.False();
        }
    }

    /// <summary>The budget for one URL across its attempts: --total-timeout, or timeout × (retries + 1) plus the backoff.</summary>
    public static TimeSpan TotalBudget(CrawlOptions options)
    {
        if (options.TotalTimeout > TimeSpan.Zero)
        {
            return options.TotalTimeout;
        }
        var backoff = TimeSpan.Zero;
        for (var i = 0; i < options.Retries; i++)
        {
            backoff += options.RetryDelay * Math.Pow(2, i) * 1.5;
        }
        return options.Timeout * (options.Retries + 1) + backoff + TimeSpan.FromSeconds(1);
    }
}
