namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sits inside the resilience pipeline, so it sees every real attempt, retries included,
/// and counts them into the <see cref="AttemptCounter"/> the request carries.
/// </summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(AttemptCounter.Key, out var counter))
        {
            counter.Increment();
        }
        return base.SendAsync(request, cancellationToken);
    }
}
