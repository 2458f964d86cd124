using System.Net.Http.Headers;
using AsyncFetcher.Core.Parsing;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Sends one GET through the resilient <see cref="HttpClient"/> and streams the body under
/// the size limit. Redirects come back as responses (the engine follows them, so every hop
/// is checked against scope and robots). Failures are returned as values.
/// </summary>
internal sealed class Fetcher(HttpClient client, IOptions<CrawlOptions> options, TimeProvider time)
{
    private readonly CrawlOptions options = options.Value;

    /// <param name="keepBody">Keep the body whatever its type (robots.txt); otherwise only HTML is kept.</param>
    public async Task<FetchResponse> FetchAsync(Uri url, bool keepBody, CancellationToken cancellationToken)
    {
        var counter = new AttemptCounter();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Options.Set(AttemptCounter.Key, counter);
        var started = time.GetTimestamp();

        // The resilience pipeline times out each attempt until the headers arrive; this budget
        // also covers the body, so a server that trickles bytes cannot hold a slot for ever.
        using var budget = new CancellationTokenSource(ResilienceSetup.TotalBudget(options), time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var contentType = response.Content.Headers.ContentType;
            var body = await ReadBodyAsync(response, contentType, keepBody, linked.Token).ConfigureAwait(false);
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
                Elapsed = time.GetElapsedTime(started),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new FetchResponse { Error = FetchErrors.Describe(e), Attempts = Math.Max(counter.Count, 1), Elapsed = time.GetElapsedTime(started) };
        }
    }

    private async Task<Body> ReadBodyAsync(HttpResponseMessage response, MediaTypeHeaderValue? contentType, bool keepBody, CancellationToken cancellationToken)
    {
        var declaredHtml = HtmlSniffer.IsHtmlMediaType(contentType?.MediaType);
        var mayBeHtml = keepBody || declaredHtml || contentType is null;
        var limit = options.MaxBody;
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        // Only HTML is kept (it is parsed for links); other bodies are counted and dropped.
        var buffer = new byte[mayBeHtml ? (int)Math.Min(limit, 64 * 1024) : 16 * 1024];
        var kept = 0;
        long total = 0;
        var truncated = false;
        while (true)
        {
            if (mayBeHtml && kept == buffer.Length)
            {
                if (buffer.Length >= limit)
                {
                    truncated = await stream.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) > 0;
                    break;
                }
                Array.Resize(ref buffer, (int)Math.Min(Math.Min(limit, Array.MaxLength), (long)buffer.Length * 2));
            }
            var room = mayBeHtml ? buffer.AsMemory(kept) : buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total));
            if (room.Length == 0)
            {
                truncated = await stream.ReadAsync(buffer.AsMemory(0, 1), cancellationToken).ConfigureAwait(false) > 0;
                break;
            }
            var read = await stream.ReadAsync(room, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
            if (mayBeHtml)
            {
                kept += read;
            }
        }
        var isHtml = declaredHtml || (contentType is null && HtmlSniffer.LooksLikeHtml(buffer.AsSpan(0, kept)));
        return new Body(isHtml || keepBody ? buffer.AsMemory(0, kept) : ReadOnlyMemory<byte>.Empty, total, truncated, isHtml);
    }

    private readonly record struct Body(ReadOnlyMemory<byte> Kept, long Length, bool Truncated, bool IsHtml);
}
