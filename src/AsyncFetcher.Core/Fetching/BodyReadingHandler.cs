using System.Buffers;
using System.Security.Cryptography;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Parsing;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Reads the response body inside the resilience pipeline, as part of the attempt, streaming it
/// under --max-body (HTML kept in memory for parsing, other types only counted) and, with --save,
/// to a file at the same time; with --state it takes the body's hash (a re-crawl compares it), and
/// with --warc it seals the attempt's capture of the exchange when the read ends.
/// </summary>
/// <remarks>
/// Why here: a body cut short by the server (connection reset, fewer bytes than Content-Length) or
/// one that stalls past --timeout must be a failed attempt, retried like a 5xx. Had the
/// fetcher read the body after the pipeline returned the headers, those failures would bypass the
/// retries; wrapping the whole fetch in a second Polly pipeline would mean two retry layers and two
/// attempt counts. As the innermost handler, this one sits under the attempt's watch (AttemptHandler), the circuit
/// breaker and the retry of the one standard pipeline: a failed read throws
/// <see cref="BodyCutShortException"/>, which <see cref="TransientFailures"/> retries. Memory stays
/// bounded: at most --max-body is held, whatever the response's size.
/// </remarks>
/// <para>It also checks what SocketsHttpHandler lets through: a status outside 100-599, and
/// Content-Length values that disagree or are not numbers (RFC 9112 section 6.3: the framing cannot
/// be trusted, so the connection is closed, not reused); and it decodes gzip, deflate and brotli
/// itself (<see cref="ContentDecoding"/>), so a compressed stream cut short is a body cut short.</para>
internal sealed class BodyReadingHandler(IOptions<CrawlOptions> options, BodyStore store, PageBuffers buffers) : DelegatingHandler
{
    private const int ChunkSize = 64 * 1024;
    private const int MinimumBuffer = 16 * 1024;

    /// <summary>
    /// How far the buffer of a kept body of unknown length grows by doubling; past it, the next buffer is the
    /// whole limit. Doubling all the way would hold the old buffer beside the new (up to 1.5 × --max-body at
    /// once) and leave the new one up to twice the body; this way a body costs at most --max-body plus this.
    /// </summary>
    private const int DoublingCeiling = 1024 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (!request.Options.TryGetValue(BodyRequest.Key, out var wanted))
        {
            return response;
        }
        ReadBody? body = null;
        try
        {
            if (FramingError(response) is { } violation)
            {
                // Whatever follows on this connection cannot be told from this response's body: close it.
                Attempt.Current?.Connection?.Poison();
                throw new FetchFailureException(violation, transient: false);
            }
            var save = wanted.Save && response.IsSuccessStatusCode ? store.Begin(request.RequestUri!) : null;
            await using (save)
            {
                try
                {
                    body = await ReadAsync(response.Content, wanted, save, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException && FetchFailureException.Find(e) is null && !cancellationToken.IsCancellationRequested)
                {
                    if (e is HttpIOException { HttpRequestError: HttpRequestError.InvalidResponse } || e.InnerException is HttpIOException { HttpRequestError: HttpRequestError.InvalidResponse })
                    {
                        Attempt.Current?.Connection?.Poison();
                        throw new FetchFailureException(response.Headers.TransferEncodingChunked == true ? "bad chunk" : "bad framing", transient: false, e);
                    }
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
            if (Attempt.Current?.TakeCapture() is { } capture)
            {
                // Sealed before the content is disposed: bytes the handler drains afterwards (to reuse the connection) are not the response's.
                capture.Complete(body.Truncated);
                body.Capture = capture;
            }
            response.Content.Dispose();
            response.Content = body;
            return response;
        }
        catch
        {
            // A body read but not handed on (its file could not be kept) gives back its lent bytes.
            body?.Dispose();
            response.Dispose();
            throw;
        }
    }

    private async Task<ReadBody> ReadAsync(HttpContent content, BodyRequest wanted, SavedBody? save, CancellationToken cancellationToken)
    {
        var keepAnyType = wanted.KeepAnyType;
        using var hash = wanted.Hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA1) : null;
        var contentType = content.Headers.ContentType;
        var declaredHtml = HtmlSniffer.IsHtmlMediaType(contentType?.MediaType);
        var mayBeHtml = keepAnyType || declaredHtml || contentType is null;
        // A kept body lives in one array, so its limit is also the largest array .NET allows.
        var limit = mayBeHtml ? Math.Min(options.Value.MaxBody, Array.MaxLength) : options.Value.MaxBody;
        var encoded = content.Headers.ContentEncoding.Count > 0;

        // What may be HTML is kept (it is parsed for links) in a buffer sized from Content-Length when the
        // server sent one, else grown by doubling to 1 MiB, then to the limit at once (DoublingCeiling); a
        // page's buffer is lent (PageBuffers) and given back after its links are read. Other bodies pass
        // through one pooled chunk and are counted (and saved), not kept.
        var lend = mayBeHtml && !keepAnyType;
        var chunk = mayBeHtml ? null : ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, ChunkSize));
        Memory<byte> buffer = mayBeHtml
            ? Keep(InitialSize(encoded ? null : content.Headers.ContentLength, limit), lend)
            : chunk;
        var kept = 0;
        long total = 0;
        var truncated = false;
        var isHtml = false;
        // A lent buffer goes back unless the body is handed on: a failed read, or a body that is no HTML after all, returns it.
        var handOn = false;
        try
        {
            // Closed before the body is handed on: a stream that fails to close fails the read, and the buffer goes back.
            await using (var stream = ContentDecoding.Open(await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), content.Headers.ContentEncoding))
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
                        var next = (long)buffer.Length * 2 <= DoublingCeiling ? (long)buffer.Length * 2 : limit;
                        var grown = Keep((int)Math.Min(Math.Min(limit, Array.MaxLength), next), lend);
                        buffer.Span[..kept].CopyTo(grown.Span);
                        if (lend)
                        {
                            buffers.Return(buffer);
                        }
                        buffer = grown;
                    }
                    var room = mayBeHtml
                        ? buffer.Slice(kept, (int)Math.Min(buffer.Length - kept, limit - total))
                        : buffer[..(int)Math.Min(buffer.Length, limit - total)];
                    var count = await stream.ReadAsync(room, cancellationToken).ConfigureAwait(false);
                    if (count == 0)
                    {
                        break;
                    }
                    if (save is not null)
                    {
                        await save.WriteAsync(room[..count], cancellationToken).ConfigureAwait(false);
                    }
                    hash?.AppendData(room.Span[..count]);
                    total += count;
                    if (mayBeHtml)
                    {
                        kept += count;
                    }
                }
            }
            isHtml = declaredHtml || (contentType is null && HtmlSniffer.LooksLikeHtml(buffer.Span[..kept]));
            handOn = lend && isHtml;
        }
        finally
        {
            // Only a body that is not kept uses the pooled chunk (it is never replaced by a grown buffer).
            if (!mayBeHtml)
            {
                ArrayPool<byte>.Shared.Return(chunk!);
            }
            else if (lend && !handOn)
            {
                buffers.Return(buffer);
            }
        }
        return new ReadBody(isHtml || keepAnyType ? buffer[..kept] : ReadOnlyMemory<byte>.Empty, total, truncated, isHtml,
            hash is null ? null : Convert.ToHexStringLower(hash.GetHashAndReset()))
        {
            Lender = handOn ? buffers : null,
        };
    }

    /// <summary>A buffer for a kept body: lent for a page (<see cref="PageBuffers"/>), its own for robots.txt and sitemaps.</summary>
    private Memory<byte> Keep(int size, bool lend) => lend ? buffers.Rent(size) : GC.AllocateUninitializedArray<byte>(size);

    /// <summary>
    /// Why the response's framing cannot be trusted: a status outside 100-599, two different
    /// Content-Lengths, or one that is not a number (a chunked body ignores Content-Length); null when it can.
    /// </summary>
    private static string? FramingError(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is < 100 or > 599)
        {
            return $"status out of range ({status})";
        }
        if (response.Headers.TransferEncodingChunked == true || !response.Content.Headers.NonValidated.TryGetValues("Content-Length", out var values))
        {
            return null;
        }
        string? first = null;
        foreach (var value in values)
        {
            // "Content-Length: 42, 42" is one length written twice (RFC 9110 section 8.6).
            foreach (var part in value.Split(','))
            {
                var length = part.Trim();
                if (length.Length == 0 || !length.All(char.IsAsciiDigit))
                {
                    return "bad framing";
                }
                if (first is not null && first != length)
                {
                    return "two content-lengths";
                }
                first = length;
            }
        }
        return null;
    }

    /// <summary>
    /// Room for the whole declared body plus the zero-byte read that ends it, in one allocation, so a
    /// body with a Content-Length costs its length, never a copy (a server that claims more than it
    /// sends costs at most --max-body, the bound either way); 16 KiB to grow from when undeclared.
    /// </summary>
    private static int InitialSize(long? contentLength, long limit) =>
        (int)Math.Min(limit, contentLength is >= 0 ? contentLength.Value + 1 : MinimumBuffer);
}
