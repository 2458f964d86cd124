using Polly;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Runs each attempt through its host's circuit breaker (<see cref="HostBreakers"/>). Inside the retry,
/// so the breaker sees every attempt; an open breaker refuses with a
/// <see cref="Polly.CircuitBreaker.BrokenCircuitException"/>, which the retry does not retry and the
/// fetcher turns into a hold.
/// </summary>
internal sealed class BreakerHandler(HostBreakers breakers) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(HostBreakers.RequestKey, request);
        try
        {
            var outcome = await breakers.For(request.RequestUri!).ExecuteOutcomeAsync(
                static async (context, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Handler.SendInnerAsync(state.Request, context.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                },
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendInnerAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
