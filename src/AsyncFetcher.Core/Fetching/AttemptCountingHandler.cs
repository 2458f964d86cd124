namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sits inside the resilience pipeline, so it sees every real attempt, retries included,
/// and counts them (and their 429s and 503s) into the <see cref="AttemptCounter"/> the request carries.
/// </summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(AttemptCounter.Key, out var counter);
        counter?.Increment();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        counter?.Answered((int)response.StatusCode);
        return response;
    }
}
