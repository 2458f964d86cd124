using System.IO.Compression;
using System.Text;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>Bodies: cut short and retried, cut at --max-body, decompressed, decoded with the right charset.</summary>
public sealed class BodyTests
{
    [Theory]
    [InlineData("content-length")]
    [InlineData("chunked")]
    public async Task A_body_cut_short_is_a_failed_attempt_and_is_retried_like_a_5xx(string framing)
    {
        var page = LocalSite.Html("whole", new string('x', 10_000));
        await using var server = new RawHttpServer(async (n, stream) =>
        {
            if (n > 1)
            {
                await stream.WriteAsync(RawHttpServer.Ascii($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {page.Length}\r\nConnection: close\r\n\r\n{page}"));
                return;
            }
            // The first answer promises the whole page and sends half, then closes the connection.
            var half = page[..(page.Length / 2)];
            await stream.WriteAsync(RawHttpServer.Ascii(framing == "chunked"
                ? $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n{half.Length:x}\r\n{half}\r\n"
                : $"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {page.Length}\r\n\r\n{half}"));
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 2, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal(200, record.Status);
        Assert.Equal(2, record.Attempts);
        Assert.Equal(page.Length, record.Bytes);
        Assert.Equal("whole", record.Title);
        Assert.Null(record.Error);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task A_body_cut_short_with_no_retries_left_is_an_error_record()
    {
        await using var server = new RawHttpServer((_, stream) =>
            stream.WriteAsync(RawHttpServer.Ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html><title>partial</title>")).AsTask());

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero), new WatchedClock(), server.BaseUrl);

        var record = Assert.Single(results);
        Assert.Equal("body cut short", record.Error);
        Assert.Null(record.Status);
        Assert.Equal(1, record.Attempts);
    }

    [Fact]
    public async Task A_body_that_stalls_times_out_per_attempt_and_is_retried()
    {
        await using var site = await LocalSite.StartAsync();
        var calls = 0;
        site.Map("/", async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.ContentType = "text/html";
                context.Response.ContentLength = 1000;
                await context.Response.WriteAsync("<html><title>stalled</title>");
                await context.Response.Body.FlushAsync();
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            await Responses.Html(context, "second");
        });
        var clock = new WatchedClock();
        var options = EngineHarness.Resilient(retries: 1, retryDelay: TimeSpan.Zero);
        options.Timeout = TimeSpan.FromSeconds(10);
        options.TotalTimeout = TimeSpan.FromHours(1);
        var headers = new HeadersSeen();
        await using var provider = EngineHarness.Build(options, clock, services =>
            services.AddSingleton<DelegatingHandler>(headers));

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        // The client has the first response's headers, so its body is being read when the attempt's time is up.
        await headers.First.Task.WaitAsync(TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(10));
        var results = await crawl;

        var record = Assert.Single(results);
        Assert.Equal("second", record.Title);
        Assert.Equal(2, record.Attempts);
    }

    [Theory]
    [InlineData(1000, false)]
    [InlineData(999, true)]
    public async Task A_body_over_max_body_is_cut_and_marked_truncated(long maxBody, bool truncated)
    {
        await using var site = await LocalSite.StartAsync();
        var html = "<html><title>t</title>" + new string('x', 1000 - 22);
        Assert.Equal(1000, html.Length);
        site.Page("/", html, "text/html");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.MaxBody = maxBody;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal(truncated, record.Truncated);
        Assert.Equal(maxBody, record.Bytes);
        Assert.Equal("t", record.Title);
    }

    [Theory]
    [InlineData(10L * 1024 * 1024, false)]
    [InlineData(2L * 1024 * 1024, true)]
    public async Task A_long_body_of_unknown_length_is_kept_whole_up_to_max_body(long maxBody, bool truncated)
    {
        // Sent in pieces with no Content-Length (chunked): the buffer grows past its doubling ceiling of 1 MiB
        // to the limit at once; what was read before the jump must be kept, and the limit must still cut.
        var filler = new string('x', 64 * 1024);
        await using var site = await LocalSite.StartAsync();
        site.Map("/", async context =>
        {
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><title>long</title>");
            for (var i = 0; i < 48; i++)
            {
                await context.Response.WriteAsync(filler);
            }
            await context.Response.WriteAsync("<a href=\"/last\">l</a></html>");
        });
        site.Links("/last");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 1;
        options.MaxBody = maxBody;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        var record = Assert.Single(results, r => r.Url == site.Url("/").AbsoluteUri);
        var length = "<html><title>long</title>".Length + (48 * filler.Length) + "<a href=\"/last\">l</a></html>".Length;
        Assert.Equal(truncated ? maxBody : length, record.Bytes);
        Assert.Equal(truncated, record.Truncated);
        Assert.Equal("long", record.Title);
        Assert.Equal(truncated ? 0 : 1, record.Links);
        Assert.Equal(!truncated, results.Any(r => r.Url.EndsWith("/last", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Pages_read_into_lent_buffers_keep_their_own_titles_and_links()
    {
        // A page's body is read into memory lent by PageBuffers and given back once its links are read. Given
        // back too soon, it is another page's body (or freed) by the time it is read, and a record shows another
        // page's title or links. Sizes under and over PageBuffers.Largest (pooled arrays, native memory), with
        // and without Content-Length (one buffer, or grown by doubling); /p5 answers 503 with HTML first (the
        // retry drops that response, which gives its buffer back).
        await using var site = await LocalSite.StartAsync();
        int[] sizes = [500, 20_000, 200_000, 700_000];
        var paths = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            var n = i;
            var html = LocalSite.Html($"page {n}", new string(' ', sizes[n % sizes.Length]) + $"<a href=\"/leaf{n}\">leaf</a>");
            var calls = 0;
            site.Map($"/p{n}", async context =>
            {
                context.Response.ContentType = "text/html";
                if (n == 5 && Interlocked.Increment(ref calls) == 1)
                {
                    context.Response.StatusCode = 503;
                }
                if (n % 2 == 0)
                {
                    context.Response.ContentLength = Encoding.UTF8.GetByteCount(html);
                }
                await context.Response.WriteAsync(html);
            });
            site.Links($"/leaf{n}");
            paths.Add($"/p{n}");
        }
        site.Links("/", [.. paths]);
        var options = EngineHarness.Resilient(retries: 1, retryDelay: TimeSpan.Zero);
        options.Depth = 2;
        options.Max = 8;
        var clock = new WatchedClock();
        await using var provider = EngineHarness.Build(options, clock);

        var (results, _) = await clock.PumpAsync(EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None));

        for (var i = 0; i < 24; i++)
        {
            var record = Assert.Single(results, r => r.Url == site.Url($"/p{i}").AbsoluteUri);
            Assert.Equal(200, record.Status);
            Assert.Equal($"page {i}", record.Title);
            Assert.Equal(1, record.Links);
            Assert.Single(results, r => r.Url == site.Url($"/leaf{i}").AbsoluteUri);
        }
        Assert.Equal(2, results.Single(r => r.Url == site.Url("/p5").AbsoluteUri).Attempts);
        // Every body lent was given back: the pages' after their links were read, the dropped 503's with its response.
        Assert.Equal(0, provider.GetRequiredService<PageBuffers>().Outstanding);
    }

    [Fact]
    public async Task A_body_that_fails_part_way_or_is_no_html_after_all_gives_its_lent_buffer_back()
    {
        // The two ways a lent buffer goes back inside BodyReadingHandler rather than after the links are read: the
        // read fails (the server closes half-way through the declared length), or a body with no Content-Type is
        // read in case it is HTML and turns out not to be.
        await using var cut = new RawHttpServer((_, stream) =>
            stream.WriteAsync(RawHttpServer.Ascii("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1000\r\n\r\n<html><title>partial</title>")).AsTask());
        await using var site = await LocalSite.StartAsync();
        site.Map("/untyped", context => context.Response.WriteAsync("plain words and no markup at all"));
        var clock = new WatchedClock();
        await using var provider = EngineHarness.Build(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero), clock);

        var (results, _) = await clock.PumpAsync(EngineHarness.CrawlAsync(provider, [cut.BaseUrl, site.Url("/untyped")], CancellationToken.None));

        Assert.Equal("body cut short", Assert.Single(results, r => r.Url == cut.BaseUrl.AbsoluteUri).Error);
        var untyped = Assert.Single(results, r => r.Url == site.Url("/untyped").AbsoluteUri);
        Assert.Equal(200, untyped.Status);
        Assert.Null(untyped.Title);
        Assert.Equal(0, provider.GetRequiredService<PageBuffers>().Outstanding);
    }

    [Fact]
    public async Task Links_past_max_body_are_not_parsed()
    {
        await using var site = await LocalSite.StartAsync();
        var head = "<html><title>cut</title><a href=\"/early\">e</a>";
        site.Page("/", head + new string(' ', 2000) + "<a href=\"/late\">l</a></html>", "text/html");
        site.Links("/early");
        site.Links("/late");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 1;
        options.MaxBody = 1024;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        Assert.Contains(results, r => r.Url.EndsWith("/early", StringComparison.Ordinal));
        Assert.DoesNotContain(results, r => r.Url.EndsWith("/late", StringComparison.Ordinal));
        Assert.DoesNotContain("/late", site.Log);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task Compressed_bodies_are_decoded(string encoding)
    {
        await using var site = await LocalSite.StartAsync();
        var html = Encoding.UTF8.GetBytes(LocalSite.Html("squeezed " + encoding, string.Concat(Enumerable.Repeat("<p>compressible</p>", 500))));
        string? acceptEncoding = null;
        site.Map("/", async context =>
        {
            acceptEncoding = context.Request.Headers.AcceptEncoding;
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.ContentEncoding = encoding;
            var compressed = new MemoryStream();
            await using (Stream zip = encoding switch
            {
                "gzip" => new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
                // HTTP's "deflate" is the zlib format (RFC 9110), not raw deflate.
                "deflate" => new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
                _ => new BrotliStream(compressed, CompressionLevel.Fastest, leaveOpen: true),
            })
            {
                await zip.WriteAsync(html);
            }
            Assert.True(compressed.Length < html.Length / 4);
            await context.Response.Body.WriteAsync(compressed.ToArray());
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero), new WatchedClock(), site.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal("squeezed " + encoding, record.Title);
        Assert.Equal(html.Length, record.Bytes);
        Assert.Contains(encoding, acceptEncoding, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/html; charset=iso-8859-1", "latin1", "<title>Café naïve Ünïcode</title>", "Café naïve Ünïcode")]
    [InlineData("text/html; charset=windows-1252", "windows-1252", "<title>€uro “quotes”</title>", "€uro “quotes”")]
    [InlineData("text/html", "windows-1252", "<meta charset=\"windows-1252\"><title>Crème brûlée €</title>", "Crème brûlée €")]
    [InlineData("text/html", "iso-8859-1", "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><title>Añejo</title>", "Añejo")]
    [InlineData("text/html", "utf-8-bom", "<title>Grüße, 世界</title>", "Grüße, 世界")]
    [InlineData("text/html; charset=iso-8859-1", "utf-8-bom", "<title>BOM wins: Grüße</title>", "BOM wins: Grüße")]
    [InlineData("text/html", "utf-8", "<title>default is UTF-8: ÿ</title>", "default is UTF-8: ÿ")]
    public async Task The_charset_from_header_bom_or_meta_decodes_the_title(string contentType, string bytesAs, string head, string title)
    {
        await using var site = await LocalSite.StartAsync();
        var html = $"<!doctype html><html><head>{head}</head><body></body></html>";
        var bytes = bytesAs switch
        {
            "utf-8-bom" => [.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(html)],
            "utf-8" => Encoding.UTF8.GetBytes(html),
            "latin1" or "iso-8859-1" => Encoding.Latin1.GetBytes(html),
            _ => CodePages.GetEncoding(bytesAs).GetBytes(html),
        };
        site.Map("/", async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.Body.WriteAsync(bytes);
        });

        var (results, _) = await EngineHarness.CrawlAsync(EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero), new WatchedClock(), site.Url("/"));

        Assert.Equal(title, Assert.Single(results).Title);
    }

    /// <summary>Sits under the body reader, next to the socket: completes when the first response's headers are in.</summary>
    private sealed class HeadersSeen : DelegatingHandler
    {
        public TaskCompletionSource First { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            First.TrySetResult();
            return response;
        }
    }

    private static class CodePages
    {
        static CodePages() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

        public static Encoding GetEncoding(string name) => Encoding.GetEncoding(name);
    }
}
