using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using AsyncFetcher.Core.Parsing;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sends one GET through the resilient <see cref="HttpClient"/>; the body is read (size-capped,
/// saved with --save) inside the pipeline by <see cref="BodyReadingHandler"/>, so every failure,
/// body included, is retried there. Redirects come back as responses (the engine follows them, so
/// every hop is checked against scope and robots). Failures are returned as values.
/// </summary>
/// <remarks>
/// An open circuit breaker only ever delays a URL. Refused before its first request, or part-way
/// through its retries, the URL comes back with <see cref="FetchResponse.HoldUntil"/> and the engine
/// holds it until the pause ends; what it had spent waits here (<see cref="HeldFetch"/>), so when it
/// is tried again it gets only the rest of its retries and of its --total-timeout. When nothing is
/// left, its record is what the server last did (a 503, a reset, a timeout), never "circuit open".
/// </remarks>
internal sealed class Fetcher(HttpClient client, IOptions<CrawlOptions> options, TimeProvider time, HostCircuits circuits, Output.BodyStore store, ConnectionGuard guard, UrlCredentials credentials, PageBuffers buffers)
{
    private readonly CrawlOptions options = options.Value;
    private readonly TimeSpan budget = ResilienceSetup.TotalBudget(options.Value);
    private readonly ConcurrentDictionary<string, HeldFetch> held = new(StringComparer.Ordinal);
    private readonly bool hashBodies = !string.IsNullOrEmpty(options.Value.State);
    private readonly bool archive = !string.IsNullOrEmpty(options.Value.Warc);

    /// <summary>
    /// Takes in a seed before the crawl: its host may be on a private network (and its block is then
    /// allowed), and credentials in it are kept aside. Returns the seed as the crawl records it, with its password redacted.
    /// </summary>
    public Uri AddSeed(Uri seed)
    {
        guard.AllowSeed(seed);
        return credentials.Keep(seed);
    }

    /// <param name="keepBody">Keep the body whatever its type, and do not save it (robots.txt); otherwise only HTML is kept, and a 2xx body is saved with --save.</param>
    /// <param name="closeConnection">Ask for the connection to be closed after the response (Connection: close): the host has nothing else queued, so an idle connection would only hold a socket.</param>
    /// <param name="previous">What an earlier crawl saw of the page: its validators make the request conditional (a re-crawl), so an unchanged page costs a 304.</param>
    /// <param name="pace">The host's interval (--delay, Crawl-delay): a retry waits it after the last answer.</param>
    public async Task<FetchResponse> FetchAsync(Uri url, bool keepBody, CancellationToken cancellationToken, bool closeConnection = false, Model.PageVersion? previous = null, TimeSpan pace = default)
    {
        var key = url.AbsoluteUri;
        var before = keepBody ? null : held.TryRemove(key, out var h) ? h : null;
        var started = time.GetTimestamp();
        var now = time.GetUtcNow();
        var left = before is null ? budget : before.Deadline - now;
        if (before is not null && left <= TimeSpan.Zero)
        {
            return Final(before, circuitOpenings: 0);
        }
        var counter = new AttemptCounter(before?.Attempts ?? 0, options.Retries + 1, left, pace);
        using var request = new HttpRequestMessage(HttpMethod.Get, UrlCredentials.Strip(url));
        request.Options.Set(AttemptCounter.Key, counter);
        request.Options.Set(BodyRequest.Key, new BodyRequest(KeepAnyType: keepBody, Save: !keepBody && store.Enabled, Hash: !keepBody && hashBodies, Archive: archive));
        if (previous?.ETag is { } etag)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", etag);
        }
        if (previous?.LastModified is { } lastModified)
        {
            request.Headers.TryAddWithoutValidation("If-Modified-Since", lastModified);
        }
        if (closeConnection)
        {
            request.Headers.ConnectionClose = true;
        }
        if (options.SendUrlCredentials && credentials.Find(url) is { } credential)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credential)));
        }
        try
        {
            // The pipeline's total timeout (--total-timeout) bounds all attempts, bodies included.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = response.Content as ReadBody ?? new ReadBody(ReadOnlyMemory<byte>.Empty, 0, truncated: false, isHtml: false);
            var contentType = body.Headers.ContentType;
            return new FetchResponse
            {
                ETag = Header(response.Headers.NonValidated, "ETag"),
                LastModified = Header(body.Headers.NonValidated, "Last-Modified"),
                BodyHash = body.Hash,
                Capture = body.TakeCapture(),
                Status = (int)response.StatusCode,
                ContentType = RecordText.Cut(contentType?.ToString()),
                Charset = contentType?.CharSet,
                Location = response.Headers.Location is { } location ? new Uri(url, location) : null,
                Bytes = body.Length,
                Truncated = body.Truncated,
                IsHtml = body.IsHtml,
                Attempts = counter.Carried + counter.Count,
                Retries = counter.Retried(before?.Outcomes),
                CircuitOpenings = counter.CircuitOpenings,
                Throttled = counter.Throttled,
                Error = RetryAfter.Exceeded(response, options.MaxRetryAfter, time),
                Elapsed = (before?.Elapsed ?? TimeSpan.Zero) + time.GetElapsedTime(started),
                Answered = Moment(counter.LastAnswered),
                Lent = body.Lender is not null,
                // Last: from here a lent body is the outcome's, and the worker gives it back once its links are
                // read (GiveBack); anything that throws before this leaves it to the response's disposal.
                Body = body.HandOn(),
            };
        }
        catch (BrokenCircuitException) when (!cancellationToken.IsCancellationRequested)
        {
            // Refused by the host's open circuit: the URL is not failed, it waits (HoldUntil) until the
            // circuit lets a probe through, if it has retries and time left by then.
            var elapsed = (before?.Elapsed ?? TimeSpan.Zero) + time.GetElapsedTime(started);
            var until = circuits.OpenUntil(url) is { } open && open > now ? open : now + options.BreakerDuration;
            var attempts = counter.Carried + counter.Count;
            if (attempts == 0)
            {
                return new FetchResponse { Error = FetchErrors.CircuitOpen, HoldUntil = until, Elapsed = elapsed };
            }
            var state = new HeldFetch(attempts, elapsed, before?.Deadline ?? now - time.GetElapsedTime(started) + budget,
                counter.Count > 0 ? counter.LastStatus : before!.LastStatus,
                counter.Count > 0 ? counter.LastContentType : before!.LastContentType,
                counter.Count > 0 ? counter.LastError : before!.LastError)
            {
                Outcomes = [.. before?.Outcomes ?? [], .. counter.Outcomes],
            };
            if (keepBody || attempts >= counter.Allowed || until >= state.Deadline)
            {
                return Final(state, counter.CircuitOpenings) with { Answered = Moment(counter.LastAnswered) };
            }
            held[key] = state;
            return new FetchResponse { Error = FetchErrors.CircuitOpen, HoldUntil = until, Elapsed = elapsed, CircuitOpenings = counter.CircuitOpenings };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new FetchResponse
            {
                Error = FetchErrors.Describe(e),
                Attempts = counter.Carried + counter.Count,
                Retries = counter.Retried(before?.Outcomes),
                CircuitOpenings = counter.CircuitOpenings,
                Throttled = counter.Throttled,
                Elapsed = (before?.Elapsed ?? TimeSpan.Zero) + time.GetElapsedTime(started),
                Answered = Moment(counter.LastAnswered),
            };
        }
    }

    /// <summary>
    /// Gives back the memory under a page's body (<see cref="PageBuffers"/>) once its links are read: the
    /// body must not be read after. A body that was not lent (robots.txt, a sitemap) is left alone.
    /// </summary>
    public void GiveBack(FetchResponse response)
    {
        if (response.Lent)
        {
            buffers.Return(response.Body);
        }
    }

    /// <summary>The clock time of a <see cref="TimeProvider"/> timestamp taken during this fetch; null for none.</summary>
    private DateTimeOffset? Moment(long? timestamp) => timestamp is { } at ? time.GetUtcNow() - time.GetElapsedTime(at) : null;

    /// <summary>A validator header as sent, when it is short enough to keep and send back; null otherwise.</summary>
    private static string? Header(HttpHeadersNonValidated headers, string name) =>
        headers.TryGetValues(name, out var values) && values.Count == 1 && values.First() is { Length: > 0 and <= 512 } value ? value : null;

    /// <summary>The record of a URL whose last real outcome stands: its breaker pause outlasted its budget.</summary>
    private static FetchResponse Final(HeldFetch state, int circuitOpenings) => new()
    {
        Status = state.LastStatus,
        ContentType = state.LastContentType,
        Error = state.LastStatus is null ? state.LastError ?? "timeout" : null,
        Attempts = state.Attempts,
        Retries = state.Outcomes.Count <= 1 ? [] : [.. state.Outcomes.Take(state.Outcomes.Count - 1)],
        Elapsed = state.Elapsed,
        CircuitOpenings = circuitOpenings,
    };
}
