using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// --warc with the real binary, read back by Webrecorder's warcio (<see cref="Warcio"/>) and by the
/// tests' own reader and digest check (<see cref="WarcReader"/>): what an archive gets, rotation,
/// resume after kill -9, a full disk, and the revisit records of a re-crawl.
/// </summary>
public sealed class WarcCommandTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory dir = new("warc-cli");

    public void Dispose() => dir.Dispose();

    private string Warc => dir.File("crawl.warc.gz");

    [Fact]
    public async Task A_crawls_warc_is_read_whole_by_warcio_and_every_record_digest_matches()
    {
        var gzipped = Responses.Gzip(LocalSite.Html("zipped", "<a href=\"/index.html\">home</a>"));
        string[] chunks = ["<html><title>chunked</title><body>", new string('c', 2000), "</body></html>"];
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain");
        site.Links("/index.html", "/gz", "/chunked", "/moved", "/big", "/private/x");
        site.Map("/gz", async context =>
        {
            context.Response.ContentType = "text/html";
            context.Response.Headers.ContentEncoding = "gzip";
            context.Response.ContentLength = gzipped.Length;
            await context.Response.Body.WriteAsync(gzipped);
        });
        site.Map("/chunked", async context =>
        {
            context.Response.ContentType = "text/html";
            foreach (var chunk in chunks)
            {
                await context.Response.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
            }
        });
        site.Redirect("/moved", "/target.html", 301);
        site.Page("/target.html", LocalSite.Html("target", ""));
        site.Page("/big", LocalSite.Html("big", new string('b', 100_000)));

        var run = await CliRunner.RunAsync(["crawl", site.Url("/index.html").AbsoluteUri, "--warc", Warc, "--max-body", "20KiB", "-o", dir.File("out.jsonl")]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains($"archive in {Warc}", run.Stderr, StringComparison.Ordinal);
        var records = WarcReader.ReadAll(Warc);
        Assert.All(records, r => Assert.Null(WarcReader.DigestProblem(r)));
        await AssertWarcioReadsAsync(records, Warc);
        var responses = records.Where(r => r.Type == "response").ToDictionary(r => new Uri(r.TargetUri!).AbsolutePath);
        Assert.Equal(["/big", "/chunked", "/gz", "/index.html", "/moved", "/robots.txt", "/target.html"], responses.Keys.Order(StringComparer.Ordinal));
        // Each response has its request, and every HTML page parsed its metadata record with the outlinks.
        Assert.All(responses.Values, r => Assert.Single(records, q => q.Type == "request" && q.Field("WARC-Concurrent-To") == r.Id));
        var metadata = records.Single(r => r.Type == "metadata" && r.TargetUri == site.Url("/index.html").AbsoluteUri);
        Assert.Contains($"outlink: {site.Url("/private/x").AbsoluteUri}\r\n", metadata.Text, StringComparison.Ordinal);
        Assert.All(responses.Values, r => Assert.Equal("127.0.0.1", r.Field("WARC-IP-Address")));
        // Bodies as sent: the gzip as gzip, the chunked body with its chunks, a redirect on its own, the cut one marked.
        Assert.Equal(gzipped, WarcReader.Payload(responses["/gz"].Block));
        Assert.Contains("Content-Encoding: gzip\r\n", responses["/gz"].Text, StringComparison.Ordinal);
        Assert.Contains("Transfer-Encoding: chunked\r\n", responses["/chunked"].Text, StringComparison.Ordinal);
        Assert.Equal(string.Concat(chunks), Encoding.UTF8.GetString(WarcReader.Payload(responses["/chunked"].Block)));
        Assert.Equal(301, responses["/moved"].Status);
        Assert.Equal("length", responses["/big"].Field("WARC-Truncated"));
        Assert.DoesNotContain(records, r => r.TargetUri?.Contains("/private/", StringComparison.Ordinal) == true && r.Type != "metadata");
        var info = records[0];
        Assert.Equal("warcinfo", info.Type);
        Assert.Contains($"command-line: asyncfetch crawl {site.Url("/index.html").AbsoluteUri} --warc {Warc}", info.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passwords_in_urls_are_not_written_to_the_warc()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("secret", ""));
        var seed = $"http://user:hunter2@{site.BaseUrl.Authority}/";

        var run = await CliRunner.RunAsync(["crawl", seed, "--send-url-credentials", "--no-robots", "--warc", Warc, "-o", dir.File("out.jsonl")]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var text = Encoding.UTF8.GetString(ReadDecompressed(Warc));
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes("user:hunter2")), text, StringComparison.Ordinal);
        Assert.Contains("Authorization: Basic ***\r\n", text, StringComparison.Ordinal);
        Assert.Contains("user:***@", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_maximum_size_the_warc_rotates_and_each_file_is_a_whole_warc()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 60, links: 3);

        var run = await CliRunner.RunAsync(["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--warc", Warc, "--warc-max-size", "8KiB", "-o", dir.File("out.jsonl")]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.False(File.Exists(Warc));
        var files = Directory.GetFiles(dir.Path, "crawl-*.warc.gz").Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count >= 3, $"{files.Count} file(s)");
        Assert.Equal(files.Select((_, i) => dir.File($"crawl-{i:D5}.warc.gz")), files);
        var all = new List<WarcRecord>();
        foreach (var file in files)
        {
            var records = WarcReader.ReadAll(file);
            Assert.Equal("warcinfo", records[0].Type);
            // A fetch's records are never split: each request is followed by its response in the same file.
            Assert.All(records.Where(r => r.Type == "request"), q => Assert.Contains(records, r => r.Id == q.Field("WARC-Concurrent-To")));
            await AssertWarcioReadsAsync(records, file);
            all.AddRange(records);
        }
        Assert.Equal(62, all.Count(r => r.Type == "response"));
        Assert.Equal(62, all.Where(r => r.Type == "response").Select(r => r.TargetUri).Distinct().Count());
    }

    [Fact]
    public async Task After_kill_9_the_warc_reads_to_its_last_whole_record_and_the_resume_appends_without_duplicates()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 300, links: 4);
        site.HoldAfter(100);
        string[] command = ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--max", "4", "--auto-throttle", "off", "--state", dir.File("crawl.db"), "--warc", Warc, "-o", dir.File("out.jsonl")];

        using (var crawl = RunningCli.Start(command))
        {
            // All four slots held (the throttle is off, or a rising latency could lower them): surely mid-way.
            await site.WaitForRequestsAsync(104, Patience);
            crawl.KillHard();
            await crawl.WaitForExitAsync(Patience);
        }
        var killed = WarcReader.Read(Warc, out _);
        Assert.All(killed, r => Assert.Null(WarcReader.DigestProblem(r)));
        var index = await Warcio.IndexAsync(Warc);
        Assert.True(index.ExitCode == 0, index.Stderr);
        Assert.True(index.StdoutLines.Length >= killed.Count, $"warcio listed {index.StdoutLines.Length} records of the killed run's WARC, the test reader {killed.Count}");
        site.ReleaseHeld();
        var second = await CliRunner.RunAsync(command);

        Assert.True(second.ExitCode == 0, second.Stderr);
        var records = WarcReader.ReadAll(Warc);
        Assert.All(records, r => Assert.Null(WarcReader.DigestProblem(r)));
        await AssertWarcioReadsAsync(records, Warc);
        var pages = records.Where(r => r.Type == "response" && !r.TargetUri!.EndsWith("/robots.txt", StringComparison.Ordinal)).Select(r => r.TargetUri).ToList();
        Assert.Equal(301, pages.Count);
        Assert.Equal(301, pages.Distinct().Count());
        // The records in the WARC are the pages in the output, one for one.
        var urls = Jsonl.Records(await File.ReadAllTextAsync(dir.File("out.jsonl"))).Select(r => r.GetProperty("url").GetString()).Order(StringComparer.Ordinal);
        Assert.Equal(urls, pages.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_full_disk_ends_the_crawl_with_one_line_and_leaves_a_warc_that_reads_to_its_end()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 400, links: 3);
        var small = dir.File("small");
        var kept = dir.File("kept.warc.gz");
        Directory.CreateDirectory(small);
        var warc = Path.Combine(small, "crawl.warc.gz");
        var crawl = string.Join(' ', CliRunner.Command().Concat(["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--warc", warc, "-o", dir.File("out.jsonl"), "--progress-interval", "0"]).Select(Quote));
        // A 96 KiB disk, in a mount namespace of the test's own; the WARC is copied out before the namespace goes.
        var script = $"mount -t tmpfs -o size=96k tmpfs {Quote(small)} || exit 99; {crawl}; code=$?; cp {Quote(warc)} {Quote(kept)}; exit $code";
        var run = await ProcessRunner.RunAsync("unshare", ["-rm", "sh", "-c", script], dir.Path, TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 1, $"exit {run.ExitCode}: {run.Stderr}");
        var error = Assert.Single(run.StderrLines, l => l.StartsWith("asyncfetch: error:", StringComparison.Ordinal));
        Assert.Equal($"asyncfetch: error: no space left on the disk holding '{warc}'", error);
        var records = WarcReader.ReadAll(kept);
        Assert.True(records.Count(r => r.Type == "response") > 10);
        Assert.All(records, r => Assert.Null(WarcReader.DigestProblem(r)));
        await AssertWarcioReadsAsync(records, kept);
    }

    [Fact]
    public async Task A_recrawl_writes_revisit_records_for_unchanged_pages_that_refer_to_the_first_capture()
    {
        var root = dir.File("site");
        Directory.CreateDirectory(root);
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), LocalSite.Html("index", "<a href=\"a.html\">a</a><a href=\"b.html\">b</a>"));
        await File.WriteAllTextAsync(Path.Combine(root, "a.html"), LocalSite.Html("a", ""));
        await File.WriteAllTextAsync(Path.Combine(root, "b.html"), LocalSite.Html("b", ""));
        await using var site = await LocalSite.StartAsync(root, TimeSpan.Zero, CancellationToken.None);
        string[] Crawl(string warc, params string[] more) =>
            ["crawl", site.Url("/").AbsoluteUri, "--state", dir.File("crawl.db"), "--warc", warc, "-o", dir.File("out.jsonl"), "--summary-json", dir.File("summary.json"), .. more];
        var first = await CliRunner.RunAsync(Crawl(dir.File("first.warc.gz")));
        Assert.True(first.ExitCode == 0, first.Stderr);
        await File.WriteAllTextAsync(Path.Combine(root, "b.html"), LocalSite.Html("b", "changed, and longer"));
        File.SetLastWriteTimeUtc(Path.Combine(root, "b.html"), DateTime.UtcNow.AddHours(1));

        var second = await CliRunner.RunAsync(Crawl(dir.File("second.warc.gz"), "--recrawl"));

        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("recrawl  0 new · 1 changed · 2 unchanged · 0 gone", second.Stderr, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(dir.File("summary.json")));
        Assert.Equal(2, summary.RootElement.GetProperty("recrawl").GetProperty("unchanged").GetInt32());
        var earlier = WarcReader.ReadAll(dir.File("first.warc.gz")).Where(r => r.Type == "response").ToDictionary(r => new Uri(r.TargetUri!).AbsolutePath);
        var records = WarcReader.ReadAll(dir.File("second.warc.gz"));
        Assert.All(records, r => Assert.Null(WarcReader.DigestProblem(r)));
        var revisits = records.Where(r => r.Type == "revisit").ToDictionary(r => new Uri(r.TargetUri!).AbsolutePath);
        Assert.Equal(["/", "/a.html"], revisits.Keys.Order(StringComparer.Ordinal));
        Assert.All(revisits, r =>
        {
            Assert.Equal(304, r.Value.Status);
            Assert.Equal(earlier[r.Key].Id, r.Value.Field("WARC-Refers-To"));
            Assert.Equal(earlier[r.Key].Field("WARC-Date"), r.Value.Field("WARC-Refers-To-Date"));
            Assert.Equal(earlier[r.Key].Field("WARC-Payload-Digest"), r.Value.Field("WARC-Payload-Digest"));
        });
        Assert.Equal(["/b.html", "/robots.txt"], records.Where(r => r.Type == "response").Select(r => new Uri(r.TargetUri!).AbsolutePath).Order(StringComparer.Ordinal));
        var cdx = await Warcio.CdxIndexAsync(dir.File("second.warc.gz"));
        Assert.True(cdx.ExitCode == 0, cdx.Stderr);
        Assert.Equal(2, cdx.StdoutLines.Count(l => l.Contains("\"mime\":\"warc/revisit\"", StringComparison.Ordinal)));
        var changed = Jsonl.Records(await File.ReadAllTextAsync(dir.File("out.jsonl"))).Select(r => r.GetProperty("changed").ValueKind).ToList();
        Assert.Equal(2, changed.Count(k => k == JsonValueKind.False));
        Assert.Equal(1, changed.Count(k => k == JsonValueKind.True));
    }

    [Theory]
    [InlineData(new[] { "--warc", "out.warc" }, "--warc must name a .warc.gz file")]
    [InlineData(new[] { "--warc-max-size", "1GiB" }, "--warc-max-size needs --warc FILE.warc.gz")]
    [InlineData(new[] { "--recrawl" }, "--recrawl needs --state FILE")]
    [InlineData(new[] { "--recrawl", "--frontier", "redis://127.0.0.1:6379/0", "--crawl-id", "x" }, "--recrawl cannot be used with --frontier: a shared crawl keeps no page versions; re-crawl with --state FILE")]
    [InlineData(new[] { "--recrawl-after", "1d", "--state", "s.db" }, "--recrawl-after needs --recrawl")]
    public async Task Misused_archive_and_recrawl_options_get_one_line_and_exit_2(string[] options, string message)
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", .. options], workingDirectory: dir.Path);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("asyncfetch: error: " + message, line, StringComparison.Ordinal);
    }

    /// <summary>warcio lists every record the test reader read, and gives a CDXJ line for every response and revisit.</summary>
    private static async Task AssertWarcioReadsAsync(List<WarcRecord> records, string file)
    {
        var index = await Warcio.IndexAsync(file);
        Assert.True(index.ExitCode == 0, index.Stderr);
        var listed = index.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(records.Select(r => r.Type), listed.Select(l => l.GetProperty("warc-type").GetString()));
        Assert.Equal(records.Select(r => r.Id), listed.Select(l => l.GetProperty("warc-record-id").GetString()));
        var cdx = await Warcio.CdxIndexAsync(file);
        Assert.True(cdx.ExitCode == 0, cdx.Stderr);
        Assert.Equal(records.Count(r => r.Type is "response" or "revisit"), cdx.StdoutLines.Length);
    }

    private static byte[] ReadDecompressed(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var copy = new MemoryStream();
        gzip.CopyTo(copy);
        return copy.ToArray();
    }


    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
