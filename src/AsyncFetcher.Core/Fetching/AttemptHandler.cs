using AsyncFetcher.Core.Output.Warc;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sits inside the resilience pipeline, so it sees every real attempt, retries included. It counts
/// them into the request's <see cref="AttemptCounter"/>, runs each under an <see cref="Attempt"/>
/// (the progress timeout and the minimum rate, on the injected clock), and turns what went wrong on
/// the wire into the failure that names it. A retry to a host with an interval (--delay, Crawl-delay)
/// waits it after the last attempt's answer, as the scheduler makes every first attempt wait. With --warc,
/// each attempt of a fetch that is archived gets a capture of its exchange (<see cref="HttpCapture"/>);
/// only the last attempt's is kept.
/// </summary>
internal sealed class AttemptHandler(IOptions<CrawlOptions> options, TimeProvider time, HttpCaptures captures) : DelegatingHandler
{
    private readonly TimeSpan timeout = options.Value.Timeout;
    private readonly TransferRate minRate = options.Value.MinimumRate;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.TryGetValue(AttemptCounter.Key, out var counter);
        if (counter is { LastAnswered: { } last, Pace: var pace } && pace - time.GetElapsedTime(last) is var wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
        counter?.Increment();
        using var attempt = new Attempt(time, timeout, minRate, cancellationToken);
        if (captures.Enabled && request.Options.TryGetValue(BodyRequest.Key, out var wanted) && wanted.Archive)
        {
            attempt.Capture = captures.Begin(request.RequestUri!);
        }
        try
        {
            var response = await base.SendAsync(request, attempt.Token).ConfigureAwait(false);
            counter?.Responded((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), attempt.AnswerBegan ?? time.GetTimestamp());
            return response;
        }
        catch (Exception e) when (Diagnose(e, attempt, cancellationToken) is { } failure)
        {
            counter?.Failed(FetchErrors.Describe(failure), attempt.AnswerBegan ?? time.GetTimestamp());
            throw failure;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            counter?.Failed(FetchErrors.Describe(e), attempt.AnswerBegan ?? time.GetTimestamp());
            throw;
        }
    }

    /// <summary>The failure that says what happened, when it is more than the exception says; null to let the exception go as it is.</summary>
    private static Exception? Diagnose(Exception e, Attempt attempt, CancellationToken cancellationToken)
    {
        // Whatever the torn-down connection threw (a cancellation, an IOException), a limit that expired is the reason.
        if (!cancellationToken.IsCancellationRequested && attempt.Expired is { } expired)
        {
            return expired == FetchErrors.TooSlow
                ? new FetchFailureException(FetchErrors.TooSlow, transient: false, e)
                : new TimeoutRejectedException("no progress within --timeout", e);
        }
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } && FetchFailureException.Find(e) is null)
        {
            // SocketsHttpHandler rejected the response head; what the attempt saw of it says which part was wrong.
            var what = attempt.NotHttp ? "not HTTP" : attempt.BadStatusLine ? "bad status line" : "bad header";
            return new FetchFailureException(what, transient: false, e);
        }
        return null;
    }
}
