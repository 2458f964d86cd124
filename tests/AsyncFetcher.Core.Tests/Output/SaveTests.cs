using System.Text;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Output;

/// <summary>--save: bodies written while they stream, in a mirror layout, never outside the directory.</summary>
public sealed class SaveTests : IDisposable
{
    private readonly TempDirectory sandbox = new("save");

    private string Root => sandbox.File("mirror");

    public void Dispose() => sandbox.Dispose();

    [Fact]
    public async Task Each_2xx_body_is_saved_in_a_mirror_layout()
    {
        await using var site = await LocalSite.StartAsync();
        string[] links = ["/docs/", "/docs/intro", "/style.css", "/missing", "/search?q=x", "/quiet", "/big"];
        site.Links("/", links);
        site.Links("/docs/", "/docs/intro");
        site.Links("/docs/intro");
        site.Page("/style.css", "body { color: red }", "text/css");
        site.Page("/search?q=x", LocalSite.Html("results", ""));
        site.Page("/quiet", "<html><head><meta name=robots content=noindex><title>quiet</title></head></html>");
        site.Page("/big", "<html><title>big</title>" + new string('x', 10_000), "text/html");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 2;
        options.Save = Root;
        options.MaxBody = 4096;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        Assert.Equal(8, results.Count);
        var host = Path.Combine(Root, $"127.0.0.1_{site.BaseUrl.Port}");
        Assert.Equal(LocalSite.Html("/", string.Concat(links.Select(h => $"<a href=\"{h}\">{h}</a>\n"))), File.ReadAllText(Path.Combine(host, "index.html")));
        Assert.True(File.Exists(Path.Combine(host, "docs", "index.html")));
        Assert.True(File.Exists(Path.Combine(host, "docs", "intro.html")));
        Assert.Equal("body { color: red }", File.ReadAllText(Path.Combine(host, "style.css")));
        Assert.True(File.Exists(Path.Combine(host, "search%3Fq=x.html")));
        // noindex asks search engines not to list a page, not a crawler not to keep it.
        Assert.True(File.Exists(Path.Combine(host, "quiet.html")));
        // A body cut at --max-body is saved as far as it was read.
        Assert.Equal(4096, new FileInfo(Path.Combine(host, "big.html")).Length);
        Assert.False(File.Exists(Path.Combine(host, "missing")));
        Assert.Equal(7, AllFiles().Count);
    }

    [Fact]
    public async Task Crafted_urls_never_write_outside_the_save_directory()
    {
        await using var site = await LocalSite.StartAsync();
        string[] hostile =
        [
            "../../../../outside", "/../../outside2", "/a/%2e%2e/%2e%2e/%2e%2e/outside3", "/%2e%2e%2f%2e%2e%2foutside4",
            "/..%2f..%2foutside5", "/..%5c..%5coutside6", "/a%5c..%5c..%5coutside7", "/%2F%2Foutside8", "//outside9",
            "/C:/outside10", "/C%3A%5Coutside11", "/%00", "/nul%00byte", "/.", "/%2e", "/%2e%2e/", "/.../....", "/CON", "/aux.html",
            "/trailing.", "/trailing%20", "/?../../outside12", "/x?a=%2F..%2F..%2F&b=..%5C..", "/" + new string('n', 3000),
            "/" + string.Concat(Enumerable.Repeat("%C3%A9", 300)), "/" + string.Join('/', Enumerable.Repeat(new string('d', 180), 9)),
        ];
        site.Page("/", LocalSite.Html("hostile", string.Concat(hostile.Select(h => $"<a href=\"{h}\">x</a>"))));
        site.Fallback = context => Responses.Html(context, "caught");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 1;
        options.Save = Root;
        options.MaxUrlLength = 8000;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        var saved = AllFiles();
        Assert.True(results.Count(r => r.Status == 200) >= 20, $"{results.Count} records");
        Assert.NotEmpty(saved);
        Assert.All(saved, file => Assert.StartsWith(Root + Path.DirectorySeparatorChar, file, StringComparison.Ordinal));
        Assert.All(saved, file => Assert.All(Path.GetRelativePath(Root, file).Split(Path.DirectorySeparatorChar), segment =>
            Assert.InRange(Encoding.UTF8.GetByteCount(segment), 1, 200)));
        Assert.DoesNotContain(saved, file => file.EndsWith(".part", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_cut_short_then_retried_leaves_one_whole_file_and_no_partial_one()
    {
        var page = LocalSite.Html("whole", new string('x', 10_000));
        await using var server = new RawHttpServer(async (n, stream) =>
            await stream.WriteAsync(RawHttpServer.Ascii($"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {page.Length}\r\n\r\n{(n == 1 ? page[..3000] : page)}")));
        var options = EngineHarness.Resilient(retries: 1, retryDelay: TimeSpan.Zero);
        options.Save = Root;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), server.BaseUrl);

        Assert.Equal(2, Assert.Single(results).Attempts);
        var file = Assert.Single(AllFiles());
        Assert.Equal(Path.Combine(Root, $"127.0.0.1_{server.BaseUrl.Port}", "index.html"), file);
        Assert.Equal(page, File.ReadAllText(file));
    }

    [Fact]
    public async Task A_file_where_a_directory_is_needed_sends_the_body_to_the_conflicts_folder()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/a", "/a/b");
        site.Page("/a", "plain", "application/octet-stream");
        site.Page("/a/b", "nested", "application/octet-stream");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 1;
        options.Max = 1;
        options.Save = Root;

        await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        var host = Path.Combine(Root, $"127.0.0.1_{site.BaseUrl.Port}");
        Assert.Equal("plain", File.ReadAllText(Path.Combine(host, "a")));
        Assert.Equal("nested", File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(host, "%conflicts")))));
    }

    private List<string> AllFiles() => [.. Directory.EnumerateFiles(sandbox.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })];
}
