namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sits inside the resilience pipeline, so it sees every real attempt, retries included,
/// and counts them into the <see cref="AttemptCounter"/> the request carries, with how each ended.
/// </summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(AttemptCounter.Key, out var counter))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        counter.Increment();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            counter.Ended(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return response;
        }
        catch (Exception e)
        {
            // An attempt cut by its timeout is cancelled here: "timeout", as its record would say.
            counter.Ended(FetchErrors.Describe(e));
            throw;
        }
    }
}
