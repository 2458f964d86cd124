using System.Text;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output.Warc;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Output;

/// <summary>The WARC writer on its own: records, digests, rotation and resume, read back by the tests' own reader.</summary>
public sealed class WarcWriterTests : IDisposable
{
    private const string Request = "GET /a HTTP/1.1\r\nHost: example.test\r\n\r\n";

    private readonly TempDirectory dir = new("warc");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_capture_is_a_request_a_response_and_a_metadata_record_whose_digests_match()
    {
        var response = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello";
        var capture = await CaptureAsync("http://example.test/a", Request, [response[..20], response[20..]]);
        capture.Outlinks = [new Uri("http://example.test/b"), new Uri("http://example.test/c")];
        capture.Provenance = ("http://example.test/", "L", 12);

        var path = await WriteAsync([capture]);

        var records = WarcReader.ReadAll(path);
        Assert.Equal(["warcinfo", "request", "response", "metadata"], records.Select(r => r.Type));
        Assert.All(records, r => Assert.Null(WarcReader.DigestProblem(r)));
        var (request, reply, metadata) = (records[1], records[2], records[3]);
        Assert.Equal(Request, request.Text);
        Assert.Equal(response, reply.Text);
        Assert.Equal(reply.Id, request.Field("WARC-Concurrent-To"));
        Assert.Equal(reply.Id, metadata.Field("WARC-Concurrent-To"));
        Assert.Equal(WarcReader.Sha1("hello"u8), reply.Field("WARC-Payload-Digest"));
        Assert.Equal(records[0].Id, reply.Field("WARC-Warcinfo-ID"));
        Assert.Equal("via: http://example.test/\r\nhopsFromSeed: L\r\nfetchTimeMs: 12\r\noutlink: http://example.test/b\r\noutlink: http://example.test/c\r\n", metadata.Text);
        Assert.Contains("software: asyncfetch/", records[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_payload_digest_of_a_chunked_response_is_taken_without_its_chunk_framing()
    {
        var head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        var body = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n";
        // Cut everywhere a read could end: inside the head, a size line, the data, the trailer.
        var wire = head + body;
        var capture = await CaptureAsync("http://example.test/a", Request, [wire[..10], wire[10..50], wire[50..53], wire[53..70], wire[70..]]);

        var reply = WarcReader.ReadAll(await WriteAsync([capture]))[2];

        Assert.Equal(wire, reply.Text);
        Assert.Equal(WarcReader.Sha1("hello, world"u8), reply.Field("WARC-Payload-Digest"));
        Assert.Null(WarcReader.DigestProblem(reply));
    }

    [Fact]
    public async Task Informational_heads_before_the_response_are_not_archived()
    {
        var final = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        var capture = await CaptureAsync("http://example.test/a", Request, ["HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" + final[..5], final[5..]]);

        var reply = WarcReader.ReadAll(await WriteAsync([capture]))[2];

        Assert.Equal(final, reply.Text);
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task A_body_cut_at_max_body_is_marked_truncated()
    {
        var capture = await CaptureAsync("http://example.test/a", Request, ["HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"], truncated: true);

        var reply = WarcReader.ReadAll(await WriteAsync([capture]))[2];

        Assert.Equal("length", reply.Field("WARC-Truncated"));
        Assert.Null(WarcReader.DigestProblem(reply));
    }

    [Fact]
    public async Task A_304_that_confirms_an_earlier_capture_is_a_revisit_record()
    {
        var earlier = new PageVersion
        {
            Status = 200,
            FetchedAt = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
            CapturedAt = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
            RecordId = "<urn:uuid:00000000-0000-0000-0000-000000000001>",
            PayloadDigest = "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        };
        var capture = await CaptureAsync("http://example.test/a", Request, ["HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"]);
        capture.Revisits = earlier;

        var revisit = WarcReader.ReadAll(await WriteAsync([capture]))[2];

        Assert.Equal("revisit", revisit.Type);
        Assert.Equal(WarcWriter.ServerNotModified, revisit.Field("WARC-Profile"));
        Assert.Equal("http://example.test/a", revisit.Field("WARC-Refers-To-Target-URI"));
        Assert.Equal("2026-01-02T03:04:05.000000Z", revisit.Field("WARC-Refers-To-Date"));
        Assert.Equal(earlier.RecordId, revisit.Field("WARC-Refers-To"));
        Assert.Equal(earlier.PayloadDigest, revisit.Field("WARC-Payload-Digest"));
        Assert.Null(WarcReader.DigestProblem(revisit));
    }

    [Fact]
    public async Task An_authorization_header_is_masked_in_the_request_record()
    {
        var capture = await CaptureAsync("http://example.test/a", "GET /a HTTP/1.1\r\nHost: example.test\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\n\r\n",
            ["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]);

        var request = WarcReader.ReadAll(await WriteAsync([capture]))[1];

        Assert.Equal("GET /a HTTP/1.1\r\nHost: example.test\r\nAuthorization: Basic ***\r\n\r\n", request.Text);
        Assert.Null(WarcReader.DigestProblem(request));
    }

    [Fact]
    public async Task A_large_body_is_spooled_to_disk_and_archived_whole()
    {
        var body = new string('x', 300_000);
        var response = $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}";
        var reads = Enumerable.Range(0, (response.Length + 16_383) / 16_384).Select(i => response.Substring(i * 16_384, Math.Min(16_384, response.Length - i * 16_384))).ToArray();
        var capture = await CaptureAsync("http://example.test/a", Request, reads);

        var reply = WarcReader.ReadAll(await WriteAsync([capture]))[2];

        Assert.Equal(response, reply.Text);
        Assert.Null(WarcReader.DigestProblem(reply));
        // The spool file was deleted as soon as it was made: nothing is left beside the WARC.
        Assert.Empty(Directory.GetFiles(dir.Path, "*.spool"));
    }

    [Fact]
    public async Task A_body_that_could_not_be_spooled_fails_the_write_and_leaves_the_warc_whole()
    {
        var path = dir.File("crawl.warc.gz");
        var (writer, _, _) = await WarcWriter.OpenAsync(path, 0, null, "software: test\r\n", TimeProvider.System, CancellationToken.None);
        var lengthBefore = writer.Length;
        // The spool's directory is gone (as a full disk refuses it): the body does not fit in memory.
        using var capture = new HttpCapture(new Uri("http://example.test/big"), DateTimeOffset.UtcNow, dir.File("gone"));
        capture.Sent(Encoding.ASCII.GetBytes(Request));
        await capture.ReceivedAsync(Encoding.ASCII.GetBytes(Ok(new string('x', 100_000))), CancellationToken.None);
        capture.Complete(truncated: false);

        await using (writer)
        {
            await Assert.ThrowsAnyAsync<IOException>(async () => await writer.WriteAsync([capture], CancellationToken.None));
            Assert.Equal(lengthBefore, writer.Length);
        }

        Assert.NotNull(capture.SpoolError);
        Assert.Equal(["warcinfo"], WarcReader.ReadAll(path).Select(r => r.Type));
    }

    [Fact]
    public async Task With_a_maximum_size_each_file_starts_with_warcinfo_and_a_fetch_is_never_split()
    {
        var path = dir.File("crawl.warc.gz");
        var (writer, _, _) = await WarcWriter.OpenAsync(path, 1, null, "software: test\r\n", TimeProvider.System, CancellationToken.None);
        await using (writer)
        {
            for (var i = 0; i < 3; i++)
            {
                await writer.WriteAsync([await CaptureAsync($"http://example.test/{i}", Request, [Ok("one")]), await CaptureAsync($"http://example.test/{i}b", Request, [Ok("two")])], CancellationToken.None);
            }
        }

        Assert.False(File.Exists(path));
        for (var i = 0; i < 3; i++)
        {
            var records = WarcReader.ReadAll(dir.File($"crawl-0000{i}.warc.gz"));
            Assert.Equal(["warcinfo", "request", "response", "request", "response"], records.Select(r => r.Type));
            Assert.Equal($"crawl-0000{i}.warc.gz", records[0].Field("WARC-Filename"));
            Assert.Equal($"http://example.test/{i}", records[1].TargetUri);
        }
        Assert.False(File.Exists(dir.File("crawl-00003.warc.gz")));
    }

    [Fact]
    public async Task A_resumed_crawl_cuts_the_file_back_to_its_checkpoint_and_removes_later_files()
    {
        var path = dir.File("crawl.warc.gz");
        var (writer, _, _) = await WarcWriter.OpenAsync(path, 1, null, "software: test\r\n", TimeProvider.System, CancellationToken.None);
        CrawlCheckpoint saved;
        await using (writer)
        {
            await writer.WriteAsync([await CaptureAsync("http://example.test/saved", Request, [Ok("a")])], CancellationToken.None);
            saved = CrawlCheckpoint.Empty with { Warc = writer.CurrentPath, WarcLength = writer.Length };
            // Written, but the crawl was killed before these pages were saved.
            await writer.WriteAsync([await CaptureAsync("http://example.test/lost1", Request, [Ok("b")])], CancellationToken.None);
            await writer.WriteAsync([await CaptureAsync("http://example.test/lost2", Request, [Ok("c")])], CancellationToken.None);
        }
        Assert.True(File.Exists(dir.File("crawl-00002.warc.gz")));

        var (resumed, cutBytes, cutFiles) = await WarcWriter.OpenAsync(path, 1_000_000, saved, "software: test\r\n", TimeProvider.System, CancellationToken.None);
        await using (resumed)
        {
            await resumed.WriteAsync([await CaptureAsync("http://example.test/again", Request, [Ok("d")])], CancellationToken.None);
        }

        Assert.Equal((0, 2), (cutBytes, cutFiles));
        Assert.False(File.Exists(dir.File("crawl-00001.warc.gz")));
        var records = WarcReader.ReadAll(dir.File("crawl-00000.warc.gz"));
        Assert.Equal(["warcinfo", "request", "response", "warcinfo", "request", "response"], records.Select(r => r.Type));
        Assert.Equal(["http://example.test/saved", "http://example.test/again"], records.Where(r => r.Type == "response").Select(r => r.TargetUri));
    }

    [Fact]
    public async Task A_resume_refuses_a_warc_shorter_than_its_state_says()
    {
        var path = dir.File("crawl.warc.gz");
        await File.WriteAllBytesAsync(path, [1, 2, 3]);
        var saved = CrawlCheckpoint.Empty with { Warc = path, WarcLength = 1000 };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => WarcWriter.OpenAsync(path, 0, saved, "", TimeProvider.System, CancellationToken.None));

        Assert.Contains("shorter (3 bytes) than the state's crawl wrote to it (1000)", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, new FileInfo(path).Length);
    }

    private static string Ok(string body) => $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\n\r\n{body}";

    private async Task<HttpCapture> CaptureAsync(string url, string request, string[] reads, bool truncated = false)
    {
        var capture = new HttpCapture(new Uri(url), DateTimeOffset.UtcNow, dir.Path) { IpAddress = "127.0.0.1" };
        capture.Sent(Encoding.ASCII.GetBytes(request));
        foreach (var read in reads)
        {
            await capture.ReceivedAsync(Encoding.ASCII.GetBytes(read), CancellationToken.None);
        }
        capture.Complete(truncated);
        return capture;
    }

    private async Task<string> WriteAsync(IReadOnlyList<HttpCapture> captures)
    {
        var path = dir.File("test.warc.gz");
        var (writer, _, _) = await WarcWriter.OpenAsync(path, 0, null, "software: asyncfetch/test\r\n", TimeProvider.System, CancellationToken.None);
        await using (writer)
        {
            await writer.WriteAsync(captures, CancellationToken.None);
        }
        foreach (var capture in captures)
        {
            capture.Dispose();
        }
        return path;
    }
}
