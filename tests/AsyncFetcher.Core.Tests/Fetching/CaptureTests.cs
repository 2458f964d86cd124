using System.Text;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Output.Warc;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>
/// With --warc, what the fetcher captures for the archive: the bytes exactly as they went over the
/// wire (content-encoding and chunked framing kept), from a server that writes them raw.
/// </summary>
public sealed class CaptureTests : IDisposable
{
    private readonly TempDirectory dir = new("capture");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_gzip_response_is_captured_byte_for_byte_as_sent()
    {
        var page = LocalSite.Html("zipped", "<a href=\"/next\">next</a>" + new string('z', 5000));
        var body = Responses.Gzip(page);
        var head = RawHttpServer.Ascii($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        var wire = head.Concat(body).ToArray();
        await using var server = new RawHttpServer(async (_, stream) =>
        {
            // In three writes, so the capture sees the head and the body arrive in pieces.
            await stream.WriteAsync(wire.AsMemory(0, 30));
            await stream.FlushAsync();
            await stream.WriteAsync(wire.AsMemory(30, head.Length));
            await stream.FlushAsync();
            await stream.WriteAsync(wire.AsMemory(30 + head.Length));
        });

        var response = await FetchAsync(Options(), server.BaseUrl);

        using var capture = Assert.IsType<HttpCapture>(response.Capture);
        Assert.Equal(wire, await BytesAsync(capture.Response));
        Assert.Equal(WarcReader.Sha1(body), capture.PayloadDigest);
        Assert.Equal(WarcReader.Sha1(wire), capture.BlockDigest);
        // The record is of the decoded page, the archive of what was sent.
        Assert.Equal(page.Length, response.Bytes);
        Assert.Equal("127.0.0.1", capture.IpAddress);
        Assert.StartsWith($"GET / HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n", Encoding.ASCII.GetString(capture.Request.Span), StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", Encoding.ASCII.GetString(capture.Request.Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_response_is_captured_byte_for_byte_and_its_payload_digest_is_of_the_dechunked_body()
    {
        string[] chunks = ["<html><title>chunked</title>", "<body>", new string('c', 3000), "</body></html>"];
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        var framed = string.Concat(chunks.Select(c => $"{c.Length:x};n=1\r\n{c}\r\n")) + "0\r\nX-Done: yes\r\n\r\n";
        await using var server = new RawHttpServer(async (_, stream) =>
        {
            await stream.WriteAsync(RawHttpServer.Ascii(head));
            foreach (var part in framed.Chunk(700))
            {
                await stream.WriteAsync(RawHttpServer.Ascii(new string(part)));
                await stream.FlushAsync();
            }
        });

        var response = await FetchAsync(Options(), server.BaseUrl);

        using var capture = Assert.IsType<HttpCapture>(response.Capture);
        Assert.Equal(head + framed, Encoding.ASCII.GetString(await BytesAsync(capture.Response)));
        Assert.Equal(WarcReader.Sha1(Encoding.ASCII.GetBytes(string.Concat(chunks))), capture.PayloadDigest);
        Assert.Equal(string.Concat(chunks).Length, response.Bytes);
    }

    [Fact]
    public async Task A_body_cut_at_max_body_is_captured_as_far_as_it_was_read_and_marked_truncated()
    {
        var page = LocalSite.Html("long", new string('l', 200_000));
        var sent = $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {page.Length}\r\nConnection: close\r\n\r\n{page}";
        await using var server = new RawHttpServer((_, stream) => stream.WriteAsync(RawHttpServer.Ascii(sent)).AsTask());
        var options = Options();
        options.MaxBody = 10_000;

        var response = await FetchAsync(options, server.BaseUrl);

        using var capture = Assert.IsType<HttpCapture>(response.Capture);
        Assert.True(response.Truncated);
        Assert.True(capture.Truncated);
        var captured = Encoding.ASCII.GetString(await BytesAsync(capture.Response));
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", captured, StringComparison.Ordinal);
        // As far as the connection had read when the body reader stopped: the cut, or beyond it, never more than was sent.
        Assert.InRange(captured.Length, 10_000, sent.Length);
        Assert.Equal(sent[..captured.Length], captured);
    }

    [Fact]
    public async Task Only_the_attempt_whose_response_is_recorded_is_captured()
    {
        await using var server = new RawHttpServer((n, stream) => stream.WriteAsync(RawHttpServer.Ascii(n == 1
            ? "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\nConnection: close\r\n\r\nbusy"
            : "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")).AsTask());
        var options = Options();
        options.Retries = 1;
        options.RetryDelay = TimeSpan.Zero;

        var response = await FetchAsync(options, server.BaseUrl);

        using var capture = Assert.IsType<HttpCapture>(response.Capture);
        Assert.Equal(2, response.Attempts);
        Assert.Equal(200, capture.Status);
        Assert.EndsWith("\r\n\r\nok", Encoding.ASCII.GetString(await BytesAsync(capture.Response)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_warc_nothing_is_captured()
    {
        await using var server = new RawHttpServer((_, stream) =>
            stream.WriteAsync(RawHttpServer.Ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")).AsTask());
        var options = Options();
        options.Warc = "";

        var response = await FetchAsync(options, server.BaseUrl);

        Assert.Equal(200, response.Status);
        Assert.Null(response.Capture);
    }

    private CrawlOptions Options()
    {
        var options = EngineHarness.Fast();
        options.Warc = dir.File("test.warc.gz");
        return options;
    }

    private static async Task<FetchResponse> FetchAsync(CrawlOptions options, Uri url)
    {
        await using var provider = EngineHarness.Build(options);
        var fetcher = provider.GetRequiredService<Fetcher>();
        fetcher.AddSeed(url);
        return await fetcher.FetchAsync(url, keepBody: false, CancellationToken.None);
    }

    private static async Task<byte[]> BytesAsync(Spool spool)
    {
        using var copy = new MemoryStream();
        await spool.CopyToAsync(copy, CancellationToken.None);
        return copy.ToArray();
    }

}
