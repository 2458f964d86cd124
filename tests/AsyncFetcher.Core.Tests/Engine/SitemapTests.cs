using System.IO.Compression;
using System.Text;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>Sitemaps in a crawl: hand-made sites on loopback whose pages are reachable only through their sitemaps.</summary>
public sealed class SitemapTests
{
    [Fact]
    public async Task Robots_txt_names_an_index_whose_gzip_sitemap_lists_pages_no_link_reaches()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", $"User-agent: *\nDisallow: /private\nSitemap: {site.Url("/sitemap_index.xml")}\n", "text/plain");
        site.Links("/", "/linked");
        site.Links("/linked");
        site.Page("/sitemap_index.xml", Index(site.Url("/posts.xml.gz"), site.Url("/pages.xml")), "application/xml");
        site.Map("/posts.xml.gz", async context =>
        {
            context.Response.ContentType = "application/x-gzip";
            await context.Response.Body.WriteAsync(Gzip(UrlSet(site.Url("/post/1"), site.Url("/post/2"), site.Url("/private/secret"))));
        });
        site.Page("/pages.xml", UrlSet(site.Url("/about"), new Uri("http://elsewhere.test/page"), site.Url("/linked")), "text/xml");
        foreach (var page in new[] { "/post/1", "/post/2", "/about" })
        {
            site.Links(page);
        }

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        var fetched = results.ToDictionary(r => new Uri(r.Url).PathAndQuery);
        Assert.Equal(["/", "/about", "/linked", "/pages.xml", "/post/1", "/post/2", "/posts.xml.gz", "/sitemap_index.xml"], fetched.Keys.Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(2, fetched["/sitemap_index.xml"].Links);
        Assert.Equal(3, fetched["/posts.xml.gz"].Links);
        Assert.Equal(site.Url("/robots.txt").AbsoluteUri, fetched["/sitemap_index.xml"].Parent);
        Assert.Equal(site.Url("/posts.xml.gz").AbsoluteUri, fetched["/post/1"].Parent);
        // Links of the page that led to the host: one away from the seed, as are the pages they list.
        Assert.Equal(1, fetched["/sitemap_index.xml"].Depth);
        Assert.Equal(1, fetched["/post/1"].Depth);
        Assert.DoesNotContain("/private/secret", site.Log);
        Assert.Equal(1, site.Log.Count(p => p == "/linked"));
    }

    [Fact]
    public async Task A_seed_that_is_a_sitemap_stands_for_the_seeds_it_lists()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/sitemap.xml", UrlSet(site.Url("/a"), site.Url("/b")), "application/xml");
        site.Links("/a", "/a/child");
        site.Links("/b");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(depth: 0), site.Url("/sitemap.xml"));

        Assert.Equal(["/a", "/b", "/sitemap.xml"], results.Select(r => new Uri(r.Url).AbsolutePath).Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.Equal(0, r.Depth));
        Assert.DoesNotContain("/a/child", site.Log);
    }

    [Fact]
    public async Task A_sitemap_that_is_not_xml_is_recorded_with_an_error_and_the_crawl_goes_on()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", $"Sitemap: {site.Url("/sitemap.xml")}\nSitemap: {site.Url("/broken.xml")}\n", "text/plain");
        site.Links("/", "/next");
        site.Links("/next");
        site.Page("/sitemap.xml", LocalSite.Html("Not found", "we moved"));
        site.Page("/broken.xml", "garbage \u0001 bytes", "application/xml");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        var byPath = results.ToDictionary(r => new Uri(r.Url).AbsolutePath);
        Assert.Equal(4, results.Count);
        Assert.Equal("not a sitemap: not XML", byPath["/sitemap.xml"].Error);
        Assert.Equal(200, byPath["/sitemap.xml"].Status);
        Assert.Equal("not a sitemap: not XML", byPath["/broken.xml"].Error);
        Assert.Null(byPath["/next"].Error);
    }

    [Fact]
    public async Task Sitemaps_off_reads_none_and_on_also_tries_sitemap_xml()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", "User-agent: *\nDisallow:\n", "text/plain");
        site.Links("/");
        site.Page("/sitemap.xml", UrlSet(site.Url("/listed")), "application/xml");
        site.Links("/listed");

        var auto = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));
        var on = EngineHarness.Fast();
        on.Sitemaps = SitemapMode.On;
        var probed = await EngineHarness.CrawlAsync(on, site.Url("/"));
        var off = EngineHarness.Fast();
        off.Sitemaps = SitemapMode.Off;
        var seedOff = await EngineHarness.CrawlAsync(off, site.Url("/sitemap.xml"));

        Assert.Equal(["/"], auto.Select(r => new Uri(r.Url).AbsolutePath));
        Assert.Equal(["/", "/listed", "/sitemap.xml"], probed.Select(r => new Uri(r.Url).AbsolutePath).Order(StringComparer.Ordinal));
        var page = Assert.Single(seedOff);
        Assert.Null(page.Links);
        Assert.Null(page.Error);
    }

    [Fact]
    public async Task A_guessed_sitemap_that_is_not_there_is_a_404_with_a_note_saying_it_was_guessed()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/missing");
        var on = EngineHarness.Fast();
        on.Sitemaps = SitemapMode.On;

        var results = await EngineHarness.CrawlAsync(on, site.Url("/"));

        var guess = Assert.Single(results, r => new Uri(r.Url).AbsolutePath == "/sitemap.xml");
        Assert.Equal(404, guess.Status);
        Assert.Equal("no sitemap: /sitemap.xml was guessed (--sitemaps on), not named or linked", guess.Note);
        // A page of the site that is missing is a broken link, and says nothing of the kind.
        var missing = Assert.Single(results, r => new Uri(r.Url).AbsolutePath == "/missing");
        Assert.Equal(404, missing.Status);
        Assert.Null(missing.Note);
    }

    [Fact]
    public async Task Depth_zero_reads_no_sitemap_robots_txt_names()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", $"Sitemap: {site.Url("/sitemap.xml")}\n", "text/plain");
        site.Links("/");
        site.Page("/sitemap.xml", UrlSet(site.Url("/listed")), "application/xml");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(depth: 0), site.Url("/"));

        Assert.Equal("/", new Uri(Assert.Single(results).Url).AbsolutePath);
        Assert.DoesNotContain("/sitemap.xml", site.Log);
    }

    [Fact]
    public async Task Indexes_nested_deeper_than_the_limit_are_not_followed()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", $"Sitemap: {site.Url("/sitemap-0.xml")}\n", "text/plain");
        site.Links("/");
        // Each index lists the next, for ever: sitemap-0.xml, sitemap-1.xml, ...
        site.Fallback = async context =>
        {
            var path = context.Request.Path.Value!;
            var n = int.Parse(path["/sitemap-".Length..^".xml".Length], System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "application/xml";
            await context.Response.WriteAsync(Index(site.Url($"/sitemap-{n + 1}.xml")));
        };

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        var indexes = results.Where(r => r.Url.Contains("sitemap", StringComparison.Ordinal)).ToList();
        Assert.Equal(SitemapFollower.MaxNesting + 1, indexes.Count);
        Assert.Equal($"sitemap index nested more than {SitemapFollower.MaxNesting} deep: its sitemaps not read", indexes[^1].Error);
    }

    [Fact]
    public async Task Lastmod_reaches_the_frontier_which_may_leave_out_pages_not_modified_since()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/sitemap.xml", $"""
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>{site.Url("/old")}</loc><lastmod>2020-01-01</lastmod></url>
              <url><loc>{site.Url("/new")}</loc><lastmod>2030-06-01T12:00:00Z</lastmod></url>
              <url><loc>{site.Url("/undated")}</loc></url>
            </urlset>
            """, "application/xml");
        foreach (var page in new[] { "/old", "/new", "/undated" })
        {
            site.Links(page);
        }
        // What a re-crawl's frontier does with a state file that says every page was fetched on 2025-01-01.
        var frontier = new FetchedSinceFrontier(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var provider = EngineHarness.Build(EngineHarness.Fast(), configure: services => services.AddSingleton<IFrontier>(frontier));

        var results = await EngineHarness.CrawlAsync(provider, [site.Url("/sitemap.xml")], CancellationToken.None);

        Assert.Equal(["/new", "/sitemap.xml", "/undated"], results.Select(r => new Uri(r.Url).AbsolutePath).Order(StringComparer.Ordinal));
        Assert.Equal(
            [("/old", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero)), ("/new", new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.Zero)), ("/undated", (DateTimeOffset?)null)],
            frontier.Listed.Select(l => (l.Request.Url.AbsolutePath, l.LastModified)));
    }

    private static string UrlSet(params Uri[] urls) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{string.Concat(urls.Select(u => $"<url><loc>{u}</loc></url>"))}</urlset>";

    private static string Index(params Uri[] urls) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{string.Concat(urls.Select(u => $"<sitemap><loc>{u}</loc></sitemap>"))}</sitemapindex>";

    private static byte[] Gzip(string text)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return packed.ToArray();
    }

    /// <summary>A memory frontier that, like a re-crawl's, leaves out listed pages whose lastmod is older than their last fetch.</summary>
    private sealed class FetchedSinceFrontier(DateTimeOffset fetched) : IFrontier
    {
        private readonly MemoryFrontier inner = new();

        public List<ListedUrl> Listed { get; } = [];

        public async ValueTask AddListedAsync(IReadOnlyList<ListedUrl> listed, CancellationToken cancellationToken)
        {
            Listed.AddRange(listed);
            foreach (var url in listed.Where(l => l.LastModified is not { } modified || modified > fetched))
            {
                await inner.AddAsync(url.Request, cancellationToken);
            }
        }

        public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => inner.CheckpointAsync(cancellationToken);

        public ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken) => inner.AddAsync(request, cancellationToken);

        public ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken) => inner.MarkSeenAsync(hop, cancellationToken);

        public ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken) => inner.TakeAsync(max, cancellationToken);

        public ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken) => inner.CompleteAsync(done, checkpoint, cancellationToken);

        public ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken) => inner.ReleaseAsync(request, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
