using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>
/// Re-crawls (--recrawl) of a crawl kept in a state file, against static files served as nginx serves
/// them (ETag, Last-Modified, 304 for a matching If-None-Match): what is asked, what is recorded, what is followed.
/// </summary>
public sealed class RecrawlTests : IDisposable
{
    private readonly TempDirectory dir = new("recrawl");
    private readonly string root;

    public RecrawlTests()
    {
        root = Path.Combine(dir.Path, "site");
        Directory.CreateDirectory(root);
        Write("index.html", "index", "a.html", "b.html", "c.html");
        Write("a.html", "a");
        Write("b.html", "b");
        Write("c.html", "c");
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_recrawl_asks_whether_each_page_changed_and_records_new_changed_unchanged_and_gone()
    {
        await using var site = await LocalSite.StartAsync(root, TimeSpan.Zero, CancellationToken.None);
        var first = await CrawlAsync(site, recrawl: false);
        Assert.Equal(4, first.Results.Count);
        Assert.All(first.Results, r => Assert.Null(r.Changed));

        // Between the runs: b gains a link to a new page d, c is deleted.
        Write("b.html", "b, longer now", "d.html");
        Write("d.html", "d");
        File.Delete(Path.Combine(root, "c.html"));
        var requestsBefore = site.Log.Count;
        var second = await CrawlAsync(site, recrawl: true);

        var byPath = second.Results.ToDictionary(r => new Uri(r.Url).AbsolutePath);
        Assert.Equal(["/", "/a.html", "/b.html", "/c.html", "/d.html"], byPath.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((304, false), (byPath["/"].Status, byPath["/"].Changed));
        Assert.Equal((304, false), (byPath["/a.html"].Status, byPath["/a.html"].Changed));
        Assert.Equal((200, true), (byPath["/b.html"].Status, byPath["/b.html"].Changed));
        Assert.Equal((404, true), (byPath["/c.html"].Status, byPath["/c.html"].Changed));
        Assert.Equal((200, (bool?)null), (byPath["/d.html"].Status, byPath["/d.html"].Changed));
        Assert.Equal(0, byPath["/a.html"].Bytes);
        Assert.Equal((1L, 1L, 2L, 1L), (second.Stats.Changes(PageChange.New), second.Stats.Changes(PageChange.Changed), second.Stats.Changes(PageChange.Unchanged), second.Stats.Changes(PageChange.Gone)));
        Assert.True(second.Stats.IsRecrawl);
        // Five pages and robots.txt: nothing fetched twice.
        Assert.Equal(6, site.Log.Count - requestsBefore);
    }

    [Fact]
    public async Task A_page_sent_again_whole_but_with_the_same_body_is_unchanged()
    {
        // A page without validators: the server can only send it whole; the body hash tells it is the same.
        await using var site = await LocalSite.StartAsync(CancellationToken.None);
        var body = LocalSite.Html("dynamic", "<a href=\"/x\">x</a>");
        site.Page("/", body);
        site.Page("/x", LocalSite.Html("x", ""));
        await CrawlAsync(site, recrawl: false);
        var second = await CrawlAsync(site, recrawl: true);

        var root = second.Results.Single(r => new Uri(r.Url).AbsolutePath == "/");
        Assert.Equal((200, false), (root.Status, root.Changed));
        Assert.Equal(2, second.Results.Count);
        Assert.Equal(2L, second.Stats.Changes(PageChange.Unchanged));
    }

    [Fact]
    public async Task Recrawl_after_fetches_again_only_pages_last_fetched_longer_ago()
    {
        await using var site = await LocalSite.StartAsync(root, TimeSpan.Zero, CancellationToken.None);
        await CrawlAsync(site, recrawl: false);
        // Age two pages by two days in the state, as if fetched then.
        using (var connection = new SqliteConnection($"Data Source={dir.File("state.db")};Pooling=false"))
        {
            connection.Open();
            using var age = connection.CreateCommand();
            age.CommandText = "UPDATE urls SET fetched_at = fetched_at - 172800000 WHERE url LIKE '%/a.html' OR url LIKE '%/b.html'";
            Assert.Equal(2, age.ExecuteNonQuery());
        }

        var second = await CrawlAsync(site, recrawl: true, after: TimeSpan.FromDays(1));

        Assert.Equal(["/a.html", "/b.html"], second.Results.Select(r => new Uri(r.Url).AbsolutePath).Order(StringComparer.Ordinal));
        Assert.All(second.Results, r => Assert.Equal((304, false), (r.Status, r.Changed)));
    }

    [Fact]
    public async Task A_stopped_recrawl_resumes_where_it_stopped_and_the_next_one_starts_over()
    {
        await using var site = await LocalSite.StartAsync(root, TimeSpan.Zero, CancellationToken.None);
        await CrawlAsync(site, recrawl: false);

        var part = await CrawlAsync(site, recrawl: true, maxPages: 2);
        var rest = await CrawlAsync(site, recrawl: true);
        var next = await CrawlAsync(site, recrawl: true);

        Assert.Equal(2, part.Results.Count);
        Assert.Equal(2, rest.Results.Count);
        Assert.Empty(part.Results.Select(r => r.Url).Intersect(rest.Results.Select(r => r.Url)));
        Assert.Equal(4, next.Results.Count);
    }

    private async Task<(List<CrawlResult> Results, CrawlStats Stats)> CrawlAsync(LocalSite site, bool recrawl, TimeSpan after = default, long maxPages = 0)
    {
        var options = EngineHarness.Fast(max: 2);
        options.State = dir.File("state.db");
        options.Recrawl = recrawl;
        options.RecrawlAfter = after;
        options.MaxPages = maxPages;
        await using var provider = EngineHarness.Build(options);
        var results = await EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        return (results, provider.GetRequiredService<CrawlEngine>().Stats);
    }

    /// <summary>A page of links, with its modification time moved on, so its validators change whenever it is written.</summary>
    private void Write(string name, string title, params string[] links)
    {
        var path = Path.Combine(root, name);
        var stamp = File.Exists(path) ? File.GetLastWriteTimeUtc(path).AddHours(1) : DateTime.UtcNow.AddDays(-1);
        File.WriteAllText(path, LocalSite.Html(title, string.Concat(links.Select(l => $"<a href=\"{l}\">{l}</a>"))));
        File.SetLastWriteTimeUtc(path, stamp);
    }
}
