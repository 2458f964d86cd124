using System.IO.Compression;
using System.Text;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>
/// Servers that break the rules, on a raw loopback socket: each failure gets a name that says what
/// happened, and the server sees exactly as many requests as the record's attempts.
/// </summary>
public sealed class HostileServerTests
{
    [Fact]
    public async Task A_server_that_hangs_up_without_answering_sees_one_request_per_attempt()
    {
        // SocketsHttpHandler used to send each attempt up to four times on new connections.
        await using var server = new RawHttpServer((_, _) => Task.CompletedTask);

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal("closed early", record.Error);
        Assert.Equal(3, record.Attempts);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task A_reset_is_named_and_each_attempt_is_one_request()
    {
        await using var server = new RawHttpServer((_, stream) =>
        {
            RawHttpServer.Reset(stream);
            return Task.CompletedTask;
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal("connection reset", record.Error);
        Assert.Equal(3, record.Attempts);
        Assert.Equal(3, server.Requests);
    }

    [Fact]
    public async Task A_server_that_hangs_up_once_then_answers_gives_two_attempts_and_two_requests()
    {
        await using var server = new RawHttpServer((n, stream) => n == 1
            ? Task.CompletedTask
            : stream.WriteAsync(RawHttpServer.Ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 23\r\nConnection: close\r\n\r\n<html><title>ok</title>")).AsTask());

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 3, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Equal(2, record.Attempts);
        Assert.Equal(2, server.Requests);
    }

    [Theory]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", "not HTTP")]
    [InlineData("HTTP/1.1 abc Nope\r\nContent-Length: 0\r\n\r\n", "bad status line")]
    [InlineData("HTTP/1.1 200 OK\r\nthis is no header\r\nContent-Length: 0\r\n\r\n", "bad header")]
    [InlineData("HTTP/1.1 999 Strange\r\nContent-Length: 2\r\n\r\nok", "status out of range (999)")]
    [InlineData("HTTP/1.1 042 Strange\r\nContent-Length: 2\r\n\r\nok", "status out of range (42)")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nokabc", "two content-lengths")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: abc\r\n\r\nok", "bad framing")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n", "bad chunk")]
    public async Task A_protocol_violation_has_its_own_name_and_is_not_retried(string response, string error)
    {
        await using var server = new RawHttpServer((_, stream) => stream.WriteAsync(RawHttpServer.Ascii(response)).AsTask());

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal(error, record.Error);
        Assert.Null(record.Status);
        Assert.Equal(1, record.Attempts);
        Assert.Equal(1, server.Requests);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task A_compressed_body_cut_short_is_retried_and_the_whole_page_kept(string coding)
    {
        var html = Encoding.UTF8.GetBytes(LocalSite.Html("whole " + coding, string.Concat(Enumerable.Range(0, 2000).Select(i => $"<p>{i} {i * 7919 % 1000}</p>"))));
        var compressed = Compress(html, coding);
        await using var server = new RawHttpServer(async (n, stream) =>
        {
            // The first answer is framed correctly (its Content-Length matches) but the compressed stream stops early.
            var body = n == 1 ? compressed[..(compressed.Length * 2 / 3)] : compressed;
            await stream.WriteAsync(RawHttpServer.Ascii($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {coding}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(body);
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Null(record.Error);
        Assert.Equal(2, record.Attempts);
        Assert.Equal(html.Length, record.Bytes);
        Assert.Equal("whole " + coding, record.Title);
    }

    [Theory]
    [InlineData("gzip", 3)]
    [InlineData("deflate", 2)]
    [InlineData("br", 1)]
    public async Task A_compressed_body_missing_its_last_bytes_is_an_error_when_no_retry_is_left(string coding, int missing)
    {
        var html = Encoding.UTF8.GetBytes(LocalSite.Html("cut", new string('x', 5000)));
        var compressed = Compress(html, coding)[..^missing];
        await using var server = new RawHttpServer(async (_, stream) =>
        {
            await stream.WriteAsync(RawHttpServer.Ascii($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {coding}\r\nContent-Length: {compressed.Length}\r\nConnection: close\r\n\r\n"));
            await stream.WriteAsync(compressed);
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal("body cut short", record.Error);
        Assert.Equal(1, record.Attempts);
    }

    [Theory]
    [InlineData("text/html; charset=utf-7", "utf-7")]
    [InlineData("text/html; charset=no-such-charset", "no-such-charset")]
    public async Task A_page_in_a_charset_dotnet_cannot_decode_is_kept_with_a_note(string contentType, string charset)
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", "<html><head><title>Kept anyway</title></head><body><a href=\"/next\">n</a></body></html>", contentType);

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero), new WatchedClock(), site.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Null(record.Error);
        Assert.Equal(1, record.Attempts);
        Assert.Equal("Kept anyway", record.Title);
        Assert.Equal(1, record.Links);
        Assert.Equal($"charset '{charset}' not supported, read as utf-8", record.Note);
    }

    internal static byte[] Compress(byte[] data, string coding)
    {
        var output = new MemoryStream();
        using (Stream zip = coding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
        })
        {
            zip.Write(data);
        }
        return output.ToArray();
    }
}
