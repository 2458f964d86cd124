using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sends one GET through the resilient <see cref="HttpClient"/>; the body is read (size-capped,
/// saved with --save) inside the pipeline by <see cref="BodyReadingHandler"/>, so every failure,
/// body included, is retried there. Redirects come back as responses (the engine follows them, so
/// every hop is checked against scope and robots). Failures are returned as values.
/// </summary>
internal sealed class Fetcher(HttpClient client, IOptions<CrawlOptions> options, TimeProvider time, HostCircuits circuits, Output.BodyStore store)
{
    private readonly CrawlOptions options = options.Value;

    /// <param name="keepBody">Keep the body whatever its type, and do not save it (robots.txt); otherwise only HTML is kept, and a 2xx body is saved with --save.</param>
    public async Task<FetchResponse> FetchAsync(Uri url, bool keepBody, CancellationToken cancellationToken)
    {
        var counter = new AttemptCounter();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(AttemptCounter.Key, counter);
        request.Options.Set(BodyRequest.Key, new BodyRequest(KeepAnyType: keepBody, Save: !keepBody && store.Enabled));
        var started = time.GetTimestamp();
        try
        {
            // The pipeline's total timeout (--total-timeout) bounds all attempts, bodies included.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = response.Content as ReadBody ?? new ReadBody(ReadOnlyMemory<byte>.Empty, 0, truncated: false, isHtml: false);
            var contentType = body.Headers.ContentType;
            return new FetchResponse
            {
                Status = (int)response.StatusCode,
                ContentType = contentType?.ToString(),
                Charset = contentType?.CharSet,
                Location = response.Headers.Location is { } location ? new Uri(url, location) : null,
                Body = body.Kept,
                Bytes = body.Length,
                Truncated = body.Truncated,
                IsHtml = body.IsHtml,
                Attempts = counter.Count,
                Retries = counter.Retried,
                CircuitOpenings = counter.CircuitOpenings,
                Error = RetryAfter.Exceeded(response, options.MaxRetryAfter, time),
                Elapsed = time.GetElapsedTime(started),
            };
        }
        catch (BrokenCircuitException) when (counter.Count == 0 && !cancellationToken.IsCancellationRequested)
        {
            // Refused by the host's open circuit before any request was sent: the URL is not
            // failed, it waits (HoldUntil) until the circuit lets a probe through.
            var now = time.GetUtcNow();
            var until = circuits.OpenUntil(url) is { } open && open > now ? open : now + options.BreakerDuration;
            return new FetchResponse { Error = FetchErrors.CircuitOpen, HoldUntil = until, Attempts = 0, Elapsed = time.GetElapsedTime(started) };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new FetchResponse
            {
                Error = FetchErrors.Describe(e),
                Attempts = counter.Count,
                Retries = counter.Retried,
                CircuitOpenings = counter.CircuitOpenings,
                Elapsed = time.GetElapsedTime(started),
            };
        }
    }
}
