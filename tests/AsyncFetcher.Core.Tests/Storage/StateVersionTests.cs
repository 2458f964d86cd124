using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using AsyncFetcher.Core.Storage;
using AsyncFetcher.Testing;
using Microsoft.Data.Sqlite;

namespace AsyncFetcher.Core.Tests.Storage;

/// <summary>
/// The state file's second version (page versions for re-crawls, the WARC in the checkpoint), and
/// the files of the first. Fixtures/state-v1.sqlite was written by asyncfetch before the change (main
/// at 74d4f1d): <c>asyncfetch demo crawl --state v1.db --max-pages 3 -o /tmp/v1.jsonl</c>, so it holds
/// a crawl stopped part-way: 4 URLs done (3 pages, 1 disallowed), 6 queued.
/// </summary>
public sealed class StateVersionTests : IDisposable
{
    private readonly TempDirectory dir = new("state-version");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_state_file_of_the_version_before_is_upgraded_and_its_crawl_carries_on()
    {
        var path = dir.File("v1.db");
        File.Copy(RepoPaths.File("tests/AsyncFetcher.Core.Tests/Storage/Fixtures/state-v1.sqlite"), path);
        Assert.Equal(1L, UserVersion(path));

        await using (var frontier = SqliteFrontier.Open(path))
        {
            var checkpoint = await frontier.CheckpointAsync(default);
            Assert.Equal((3L, "/tmp/v1.jsonl", 1075L, (string?)null, 0L), (checkpoint.Pages, checkpoint.Output, checkpoint.OutputLength, checkpoint.Warc, checkpoint.WarcLength));
            var queued = await frontier.TakeAsync(100, default);
            Assert.Equal(6, queued.Count);
            Assert.All(queued, r => Assert.Null(r.Version));
            var version = new PageVersion { Status = 200, ETag = "\"e\"", BodyHash = "ab", FetchedAt = DateTimeOffset.FromUnixTimeSeconds(1_000_000) };
            await frontier.CompleteAsync([.. queued.Select(r => r with { Version = version })], checkpoint with { Pages = 9, Warc = "/tmp/a.warc.gz", WarcLength = 77 }, default);
        }

        Assert.Equal(2L, UserVersion(path));
        var (reopened, round, started, again) = SqliteFrontier.OpenForRecrawl(path, fetchedBefore: null);
        await using (reopened)
        {
            var checkpoint = await reopened.CheckpointAsync(default);
            Assert.Equal(("/tmp/a.warc.gz", 77L, 0L), (checkpoint.Warc, checkpoint.WarcLength, checkpoint.Pages));
            Assert.Equal((1L, true, 10L), (round, started, again));
            var all = await reopened.TakeAsync(100, default);
            Assert.Equal(10, all.Count);
            // The pages completed after the upgrade have their versions; those done before it have none to send.
            Assert.Equal(6, all.Count(r => r.Version is { ETag: "\"e\"", Status: 200, BodyHash: "ab" }));
        }
    }

    [Fact]
    public async Task A_recrawl_queues_only_pages_fetched_before_the_cutoff_and_an_unfinished_one_is_resumed()
    {
        var path = dir.File("crawl.db");
        var old = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        var recent = old.AddDays(3);
        await using (var frontier = SqliteFrontier.Open(path))
        {
            foreach (var name in new[] { "/old", "/recent", "/hop-origin" })
            {
                await frontier.AddAsync(new CrawlRequest(new Uri("http://example.test" + name), 0, null, "example.test"), default);
            }
            var taken = await frontier.TakeAsync(10, default);
            await frontier.MarkSeenAsync(new CrawlRequest(new Uri("http://example.test/hop"), 0, null, "example.test") { Redirect = new RedirectChain(taken[2], [taken[2].Key, "http://example.test/hop"], 1, TimeSpan.Zero) }, default);
            await frontier.CompleteAsync(
                [taken[0] with { Version = new PageVersion { Status = 200, FetchedAt = old } }, taken[1] with { Version = new PageVersion { Status = 200, FetchedAt = recent } }, taken[2] with { Version = new PageVersion { Status = 200, FetchedAt = old } }],
                new CrawlCheckpoint(3, null, 0), default);
        }

        var (first, round, started, queued) = SqliteFrontier.OpenForRecrawl(path, old.AddDays(1));
        await using (first)
        {
            Assert.Equal((1L, true, 2L), (round, started, queued));
            var taken = await first.TakeAsync(10, default);
            Assert.Equal(["http://example.test/old", "http://example.test/hop-origin"], taken.Select(r => r.Key));
            Assert.Equal(0, (await first.CheckpointAsync(default)).Pages);
            // The origin's redirect hop was forgotten: it can be followed again.
            Assert.True(await first.MarkSeenAsync(new CrawlRequest(new Uri("http://example.test/hop"), 0, null, "example.test") { Redirect = new RedirectChain(taken[1], [taken[1].Key, "http://example.test/hop"], 1, TimeSpan.Zero) }, default));
            await first.CompleteAsync([taken[0]], new CrawlCheckpoint(1, null, 0), default);
            // Stopped here: /hop-origin was never completed.
        }

        var (second, round2, started2, queued2) = SqliteFrontier.OpenForRecrawl(path, old.AddDays(1));
        await using (second)
        {
            Assert.Equal((1L, false, 1L), (round2, started2, queued2));
            Assert.Equal(["http://example.test/hop-origin"], (await second.TakeAsync(10, default)).Select(r => r.Key));
        }
    }

    [Fact]
    public async Task On_a_recrawl_a_page_a_sitemap_says_is_not_modified_since_its_fetch_is_not_queued_again()
    {
        var path = dir.File("crawl.db");
        var fetched = DateTimeOffset.FromUnixTimeSeconds(1_000_000);
        await using (var frontier = SqliteFrontier.Open(path))
        {
            foreach (var name in new[] { "/old", "/new", "/unlisted" })
            {
                await frontier.AddAsync(Page(name), default);
            }
            var taken = await frontier.TakeAsync(10, default);
            await frontier.CompleteAsync([.. taken.Select(r => r with { Version = new PageVersion { Status = 200, FetchedAt = fetched } })], new CrawlCheckpoint(3, null, 0), default);
        }

        var (recrawl, _, _, _) = SqliteFrontier.OpenForRecrawl(path, fetchedBefore: null);
        await using (recrawl)
        {
            await recrawl.AddListedAsync(
                [new ListedUrl(Page("/old"), fetched.AddDays(-1)), new ListedUrl(Page("/new"), fetched.AddDays(1)), new ListedUrl(Page("/added"), fetched.AddDays(-1))], default);

            // /old was modified before it was fetched: not asked again; /new was modified since; /added is new.
            Assert.Equal(["/new", "/unlisted", "/added"], (await recrawl.TakeAsync(10, default)).Select(r => r.Url.AbsolutePath));
        }
    }

    private static CrawlRequest Page(string path) => new(new Uri("http://example.test" + path), 0, null, "example.test");

    private static long UserVersion(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        return (long)command.ExecuteScalar()!;
    }
}
