using System.Buffers;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Parsing;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Reads the response body inside the resilience pipeline, as part of the attempt, streaming it
/// under --max-body (HTML kept in memory for parsing, other types only counted) and, with --save,
/// to a file at the same time.
/// </summary>
/// <remarks>
/// Why here: a body cut short by the server (connection reset, fewer bytes than Content-Length) or
/// one that trickles past the attempt timeout must be a failed attempt, retried like a 5xx. Had the
/// fetcher read the body after the pipeline returned the headers, those failures would bypass the
/// retries; wrapping the whole fetch in a second Polly pipeline would mean two retry layers and two
/// attempt counts. As the innermost handler, this one sits under the attempt timeout, the circuit
/// breaker and the retry of the one standard pipeline: a failed read throws
/// <see cref="BodyCutShortException"/>, which <see cref="TransientFailures"/> retries. Memory stays
/// bounded: at most --max-body is held, whatever the response's size.
/// </remarks>
internal sealed class BodyReadingHandler(IOptions<CrawlOptions> options, BodyStore store) : DelegatingHandler
{
    private const int ChunkSize = 64 * 1024;
    private const int MinimumBuffer = 16 * 1024;
    private const int MaximumUpFront = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!request.Options.TryGetValue(BodyRequest.Key, out var wanted))
        {
            return response;
        }
        try
        {
            var save = wanted.Save && response.IsSuccessStatusCode ? store.Begin(request.RequestUri!) : null;
            ReadBody body;
            await using (save)
            {
                try
                {
                    body = await ReadAsync(response.Content, wanted.KeepAnyType, save, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    throw new BodyCutShortException(e);
                }
                if (save is not null)
                {
                    await save.CommitAsync(body.IsHtml, CancellationToken.None).ConfigureAwait(false);
                }
            }
            foreach (var header in response.Content.Headers)
            {
                // The kept bytes are decoded and may be cut: the original length and encoding no longer describe them.
                if (header.Key is not ("Content-Length" or "Content-Encoding"))
                {
                    body.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }
            response.Content.Dispose();
            response.Content = body;
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<ReadBody> ReadAsync(HttpContent content, bool keepAnyType, SavedBody? save, CancellationToken cancellationToken)
    {
        var contentType = content.Headers.ContentType;
        var declaredHtml = HtmlSniffer.IsHtmlMediaType(contentType?.MediaType);
        var mayBeHtml = keepAnyType || declaredHtml || contentType is null;
        // A kept body lives in one array, so its limit is also the largest array .NET allows.
        var limit = mayBeHtml ? Math.Min(options.Value.MaxBody, Array.MaxLength) : options.Value.MaxBody;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);

        // What may be HTML is kept (it is parsed for links) in a buffer sized from Content-Length when the
        // server sent one (one allocation, no zeroing: the bytes are overwritten by the read), else grown
        // up to the limit; other bodies pass through one pooled chunk and are counted (and saved), not kept.
        var buffer = mayBeHtml
            ? GC.AllocateUninitializedArray<byte>(InitialSize(content.Headers.ContentLength, limit))
            : ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, ChunkSize));
        var kept = 0;
        long total = 0;
        var truncated = false;
        try
        {
            while (true)
            {
                if (total >= limit)
                {
                    // At the limit: one more byte tells a body of exactly --max-body from a longer one.
                    truncated = await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) > 0;
                    break;
                }
                if (mayBeHtml && kept == buffer.Length)
                {
                    var grown = GC.AllocateUninitializedArray<byte>((int)Math.Min(Math.Min(limit, Array.MaxLength), (long)buffer.Length * 2));
                    buffer.AsSpan(0, kept).CopyTo(grown);
                    buffer = grown;
                }
                var room = mayBeHtml
                    ? buffer.AsMemory(kept, (int)Math.Min(buffer.Length - kept, limit - total))
                    : buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - total));
                var read = await stream.ReadAsync(room, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }
                if (save is not null)
                {
                    await save.WriteAsync(room[..read], cancellationToken).ConfigureAwait(false);
                }
                total += read;
                if (mayBeHtml)
                {
                    kept += read;
                }
            }
        }
        finally
        {
            // Only a body that is not kept uses the pooled chunk (it is never replaced by a grown buffer).
            if (!mayBeHtml)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        var isHtml = declaredHtml || (contentType is null && HtmlSniffer.LooksLikeHtml(buffer.AsSpan(0, kept)));
        return new ReadBody(isHtml || keepAnyType ? buffer.AsMemory(0, kept) : ReadOnlyMemory<byte>.Empty, total, truncated, isHtml);
    }

    /// <summary>
    /// Room for the whole declared body plus the zero-byte read that ends it, 16 KiB to grow from when
    /// undeclared; never more than 1 MiB up front, so a server that claims a huge length gets memory
    /// only for the bytes it really sends.
    /// </summary>
    private static int InitialSize(long? contentLength, long limit) =>
        (int)Math.Min(Math.Min(limit, MaximumUpFront), contentLength is >= 0 ? contentLength.Value + 1 : MinimumBuffer);
}
