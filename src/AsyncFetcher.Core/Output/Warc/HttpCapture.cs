using System.Buffers;
using System.Text;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>
/// One HTTP exchange as it went over the wire, for the WARC: the request's bytes as written, and the
/// response's bytes as read, from its final status line to where the read stopped (content-encoding
/// and chunked framing kept), spooled (<see cref="Spool"/>) with their digests taken on the way
/// (<see cref="ResponseDigests"/>). The fetcher fills it while the attempt runs and completes it when
/// the body has been read; the engine adds what it learnt of the page; <see cref="WarcWriter"/>
/// writes it and disposes it.
/// </summary>
internal sealed class HttpCapture : IDisposable
{
    /// <summary>The most request bytes kept: a GET's head is a few hundred bytes.</summary>
    private const int MaxRequest = 64 * 1024;

    private readonly ArrayBufferWriter<byte> request = new(512);
    private readonly Spool response;
    private readonly ResponseDigests digests = new();
    private volatile bool complete;

    public HttpCapture(Uri target, DateTimeOffset date, string spoolDirectory)
    {
        Target = target;
        Date = date;
        response = new Spool(spoolDirectory);
    }

    /// <summary>The URL requested (WARC-Target-URI), without user or password.</summary>
    public Uri Target { get; }

    /// <summary>When the attempt began (WARC-Date of its records).</summary>
    public DateTimeOffset Date { get; }

    /// <summary>The address the request was sent to (WARC-IP-Address); null when it was not seen.</summary>
    public string? IpAddress { get; set; }

    /// <summary>The response record's WARC-Record-ID, known before it is written (the state keeps it, for revisit records).</summary>
    public string ResponseRecordId { get; } = WarcRecordIds.New();

    /// <summary>The request's bytes, with any Authorization value masked; complete once <see cref="Complete"/> ran.</summary>
    public ReadOnlyMemory<byte> Request { get; private set; }

    /// <summary>The response's bytes: the final head, then the body as sent.</summary>
    public Spool Response => response;

    /// <summary>The final response's status, once its head was read.</summary>
    public int? Status => digests.Status;

    /// <summary>True when the body was cut at --max-body (WARC-Truncated: length).</summary>
    public bool Truncated { get; private set; }

    /// <summary>WARC-Block-Digest of the response record; set by <see cref="Complete"/>.</summary>
    public string? BlockDigest { get; private set; }

    /// <summary>WARC-Payload-Digest of the response record (the body without chunked framing); set by <see cref="Complete"/>.</summary>
    public string? PayloadDigest { get; private set; }

    /// <summary>True once the response was read to its end (or to the cut), its digests taken.</summary>
    public bool IsComplete => complete;

    /// <summary>
    /// Why the response could not be spooled (a full disk); null when it was. The fetch goes on (its record
    /// does not depend on the archive), and writing this capture to the WARC fails with it, so the crawl
    /// ends on the disk's error instead of leaving a hole in the archive.
    /// </summary>
    public IOException? SpoolError { get; private set; }

    /// <summary>The links found on the page, for its metadata record; null when it was not parsed for links.</summary>
    public IReadOnlyList<Uri>? Outlinks { get; set; }

    /// <summary>The page the link was found on (metadata <c>via</c>), and how it was reached (<c>hopsFromSeed</c>: L per link, R per redirect).</summary>
    public (string? Via, string Hops, long FetchTimeMs)? Provenance { get; set; }

    /// <summary>The earlier version of the page this 304 confirms: the response is written as a revisit record referring to it.</summary>
    public PageVersion? Revisits { get; set; }

    /// <summary>Request bytes, as the connection writes them.</summary>
    public void Sent(ReadOnlySpan<byte> bytes)
    {
        if (!complete && request.WrittenCount < MaxRequest)
        {
            request.Write(bytes[..Math.Min(bytes.Length, MaxRequest - request.WrittenCount)]);
        }
    }

    /// <summary>Response bytes, as the connection reads them; ignored once complete (a connection drained for reuse reads on).</summary>
    public async ValueTask ReceivedAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (complete || SpoolError is not null)
        {
            return;
        }
        digests.Take(bytes, out var head, out var body);
        try
        {
            if (!head.IsEmpty)
            {
                response.Write(head.Span);
            }
            if (!body.IsEmpty)
            {
                await response.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (IOException e)
        {
            SpoolError = e;
        }
    }

    /// <summary>Response bytes read by a synchronous read.</summary>
    public void Received(ReadOnlySpan<byte> bytes)
    {
        if (complete || SpoolError is not null)
        {
            return;
        }
        digests.Take(bytes.ToArray(), out var head, out var body);
        try
        {
            response.Write(head.Span);
            response.Write(body.Span);
        }
        catch (IOException e)
        {
            SpoolError = e;
        }
    }

    /// <summary>The body was read to its end, or cut at --max-body (<paramref name="truncated"/>): the capture is sealed and its digests taken.</summary>
    public void Complete(bool truncated)
    {
        if (complete)
        {
            return;
        }
        complete = true;
        Truncated = truncated;
        BlockDigest = digests.BlockDigest();
        PayloadDigest = digests.PayloadDigest();
        Request = MaskAuthorization(request.WrittenMemory);
    }

    public void Dispose()
    {
        complete = true;
        response.Dispose();
        digests.Dispose();
    }

    /// <summary>
    /// The request with the values of Authorization and Proxy-Authorization replaced by <c>***</c>: a
    /// seed's password sent with --send-url-credentials must not be handed on with the archive.
    /// </summary>
    internal static ReadOnlyMemory<byte> MaskAuthorization(ReadOnlyMemory<byte> bytes)
    {
        var text = Encoding.Latin1.GetString(bytes.Span);
        var lines = text.Split('\n');
        var masked = false;
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && lines[i][..colon].Trim() is var name
                && (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase)))
            {
                var value = lines[i][(colon + 1)..].Trim();
                var scheme = value.IndexOf(' ', StringComparison.Ordinal) is var space and > 0 ? value[..space] + " " : "";
                lines[i] = $"{lines[i][..colon]}: {scheme}***{(lines[i].EndsWith('\r') ? "\r" : "")}";
                masked = true;
            }
        }
        return masked ? Encoding.Latin1.GetBytes(string.Join('\n', lines)) : bytes;
    }
}
