using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// One circuit breaker per host (scheme, host and port, as robots.txt and the per-host limits are
/// scoped), each a Polly pipeline with that strategy alone, configured from <see cref="CrawlOptions"/>
/// and run on the injected clock. When at least --breaker-ratio of at least --breaker-min-attempts
/// attempts within the sampling window failed (<see cref="TransientFailures.IsHostFailure"/>), the host
/// is paused for --breaker-pause; <see cref="HostCircuits"/> learns when it may be tried again.
/// </summary>
internal sealed class HostBreakers(IOptions<CrawlOptions> options, TimeProvider time, HostCircuits circuits)
{
    /// <summary>Where the request an attempt belongs to travels in the breaker's context, for its callbacks.</summary>
    public static readonly ResiliencePropertyKey<HttpRequestMessage> RequestKey = new("asyncfetch.request");

    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> breakers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The breaker of <paramref name="url"/>'s host, built the first time the host is asked for.</summary>
    public ResiliencePipeline<HttpResponseMessage> For(Uri url) =>
        breakers.GetOrAdd(url.GetLeftPart(UriPartial.Authority), static (host, self) => self.Build(new Uri(host)), this);

    private ResiliencePipeline<HttpResponseMessage> Build(Uri host)
    {
        var crawl = options.Value;
        return new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = args => ValueTask.FromResult(TransientFailures.IsHostFailure(args.Outcome)),
                FailureRatio = crawl.BreakerFailureRatio,
                MinimumThroughput = crawl.BreakerMinimumThroughput,
                BreakDuration = crawl.BreakerDuration,
                SamplingDuration = ResilienceSetup.SamplingDuration(crawl),
                OnOpened = args =>
                {
                    circuits.Blocked(host, args.BreakDuration);
                    if (args.Context.Properties.TryGetValue(RequestKey, out var request) && request.Options.TryGetValue(AttemptCounter.Key, out var counter))
                    {
                        counter.CircuitOpened();
                    }
                    return default;
                },
                // Half-open lets one probe through; other requests are refused for another break duration.
                OnHalfOpened = _ =>
                {
                    circuits.Blocked(host, crawl.BreakerDuration);
                    return default;
                },
                OnClosed = _ =>
                {
                    circuits.Closed(host);
                    return default;
                },
            })
            .Build();
    }
}
