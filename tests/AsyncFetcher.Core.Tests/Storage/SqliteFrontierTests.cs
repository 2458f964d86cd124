using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using AsyncFetcher.Core.Storage;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Storage;

/// <summary>The SQLite frontier behind --state: what it keeps, in which order, and what survives a reopen.</summary>
public sealed class SqliteFrontierTests : IDisposable
{
    private readonly TempDirectory dir = new("state");

    private string StatePath => dir.File("crawl.db");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_url_is_queued_once_however_often_it_is_added_or_discovered()
    {
        await using var frontier = SqliteFrontier.Open(StatePath);

        Assert.True(await frontier.AddAsync(Request("/a"), default));
        Assert.False(await frontier.AddAsync(Request("/a"), default));
        var a = Assert.Single(await frontier.TakeAsync(10, default));
        await CompleteAsync(frontier, a, [Request("/a"), Request("/b"), Request("/b")], Checkpoint(1));
        Assert.False(await frontier.AddAsync(Request("/b"), default));
        Assert.False(await frontier.MarkSeenAsync(Request("/b"), default));

        Assert.Equal(["/b"], Paths(await frontier.TakeAsync(10, default)));
        Assert.Empty(await frontier.TakeAsync(10, default));
    }

    [Fact]
    public async Task Requests_are_taken_oldest_first_so_the_crawl_is_breadth_first()
    {
        await using var frontier = SqliteFrontier.Open(StatePath);
        await frontier.AddAsync(Request("/a"), default);
        await frontier.AddAsync(Request("/b"), default);

        var first = await frontier.TakeAsync(1, default);
        await CompleteAsync(frontier, first[0], [Request("/a1", depth: 1), Request("/a2", depth: 1)], Checkpoint(1));
        await frontier.AddAsync(Request("/c"), default);

        var rest = await frontier.TakeAsync(10, default);
        Assert.Equal(["/b", "/a1", "/a2", "/c"], Paths(rest));
        Assert.Equal([0, 1, 1, 0], rest.Select(r => r.Depth));
        Assert.Equal(Url("/a").AbsoluteUri, rest[1].Parent);
    }

    [Fact]
    public async Task Taken_requests_of_an_interrupted_run_are_pending_again_in_their_place_after_reopening()
    {
        await using (var frontier = SqliteFrontier.Open(StatePath))
        {
            foreach (var path in new[] { "/a", "/b", "/c", "/d" })
            {
                await frontier.AddAsync(Request(path), default);
            }
            var taken = await frontier.TakeAsync(3, default);
            await frontier.CompleteAsync([taken[1]], Checkpoint(1), default);
            // /a and /c were in flight when the run ended: no Complete, no Release.
        }

        await using var reopened = SqliteFrontier.Open(StatePath);
        Assert.Equal(["/a", "/c", "/d"], Paths(await reopened.TakeAsync(10, default)));
    }

    [Fact]
    public async Task A_completed_page_its_links_and_the_checkpoint_are_saved_together()
    {
        var checkpoint = new CrawlCheckpoint(42, "/tmp/out.jsonl", 12_345);
        await using (var frontier = SqliteFrontier.Open(StatePath))
        {
            Assert.Equal(CrawlCheckpoint.Empty, await frontier.CheckpointAsync(default));
            await frontier.AddAsync(Request("/"), default);
            var root = Assert.Single(await frontier.TakeAsync(10, default));
            await CompleteAsync(frontier, root, [Request("/x", depth: 1)], checkpoint);
        }

        await using var reopened = SqliteFrontier.Open(StatePath);
        Assert.Equal(checkpoint, await reopened.CheckpointAsync(default));
        Assert.False(await reopened.AddAsync(Request("/"), default));
        Assert.Equal(["/x"], Paths(await reopened.TakeAsync(10, default)));
    }

    [Fact]
    public async Task Pages_acknowledged_together_are_completed_in_one_step()
    {
        await using (var frontier = SqliteFrontier.Open(StatePath))
        {
            await frontier.AddAsync(Request("/a"), default);
            await frontier.AddAsync(Request("/b"), default);
            var taken = await frontier.TakeAsync(10, default);
            await frontier.AddAsync(Request("/a1", 1), default);
            await frontier.AddAsync(Request("/b1", 1), default);
            await frontier.CompleteAsync(taken, Checkpoint(2), default);
        }

        await using var reopened = SqliteFrontier.Open(StatePath);
        Assert.Equal(2, (await reopened.CheckpointAsync(default)).Pages);
        Assert.Equal(["/a1", "/b1"], Paths(await reopened.TakeAsync(10, default)));
    }

    [Fact]
    public async Task A_crash_keeps_completed_pages_with_their_links_and_loses_only_what_came_after()
    {
        var frontier = SqliteFrontier.Open(StatePath);
        await frontier.AddAsync(Request("/a"), default);
        await frontier.AddAsync(Request("/b"), default);
        var taken = await frontier.TakeAsync(10, default);
        await CompleteAsync(frontier, taken[0], [Request("/a1", 1)], Checkpoint(1));
        // /b was fetched and its link found, but the process died before /b was saved.
        await frontier.AddAsync(Request("/b1", 1), default);
        frontier.CloseWithoutCommit();

        await using var reopened = SqliteFrontier.Open(StatePath);
        Assert.Equal(1, (await reopened.CheckpointAsync(default)).Pages);
        Assert.Equal(["/b", "/a1"], Paths(await reopened.TakeAsync(10, default)));
        // /b is fetched again and finds /b1 again.
        Assert.True(await reopened.AddAsync(Request("/b1", 1), default));
    }

    [Fact]
    public async Task A_released_request_is_taken_again_and_its_redirect_hops_are_forgotten()
    {
        await using var frontier = SqliteFrontier.Open(StatePath);
        await frontier.AddAsync(Request("/old"), default);
        var origin = Assert.Single(await frontier.TakeAsync(10, default));
        var hop = Request("/new") with { Redirect = new RedirectChain(origin, [origin.Key, Url("/new").AbsoluteUri], 1, TimeSpan.Zero) };
        Assert.True(await frontier.MarkSeenAsync(hop, default));
        Assert.False(await frontier.MarkSeenAsync(hop, default));

        await frontier.ReleaseAsync(origin, default);

        Assert.Equal(["/old"], Paths(await frontier.TakeAsync(10, default)));
        Assert.True(await frontier.MarkSeenAsync(hop, default));
    }

    [Fact]
    public async Task Redirect_hops_are_done_with_their_origin_and_forgotten_if_the_run_ends_before()
    {
        await using (var frontier = SqliteFrontier.Open(StatePath))
        {
            await frontier.AddAsync(Request("/done"), default);
            await frontier.AddAsync(Request("/interrupted"), default);
            var taken = await frontier.TakeAsync(10, default);
            await frontier.MarkSeenAsync(Hop(taken[0], "/done-target"), default);
            await frontier.MarkSeenAsync(Hop(taken[1], "/interrupted-target"), default);
            await frontier.CompleteAsync([taken[0]], Checkpoint(1), default);
        }

        await using var reopened = SqliteFrontier.Open(StatePath);
        Assert.False(await reopened.AddAsync(Request("/done-target"), default));
        Assert.True(await reopened.AddAsync(Request("/interrupted-target"), default));
        Assert.Equal(["/interrupted", "/interrupted-target"], Paths(await reopened.TakeAsync(10, default)));
    }

    [Fact]
    public async Task A_long_seed_list_is_added_in_batches_and_kept_in_order()
    {
        var paths = Enumerable.Range(0, 25_000).Select(i => $"/seed/{i}").ToList();
        await using (var frontier = SqliteFrontier.Open(StatePath))
        {
            foreach (var path in paths)
            {
                await frontier.AddAsync(Request(path), default);
            }
        }

        await using var reopened = SqliteFrontier.Open(StatePath);
        var taken = new List<CrawlRequest>();
        while (await reopened.TakeAsync(4096, default) is { Count: > 0 } batch)
        {
            taken.AddRange(batch);
        }
        Assert.Equal(paths, Paths(taken));
    }

    [Fact]
    public async Task A_state_file_in_use_by_another_crawl_is_refused()
    {
        await using var frontier = SqliteFrontier.Open(StatePath);

        var e = Assert.Throws<FrontierFailedException>(() => SqliteFrontier.Open(StatePath));
        Assert.Equal($"state file '{StatePath}' is in use by another crawl", e.Message);
    }

    [Fact]
    public async Task Fresh_refuses_a_state_file_in_use_and_leaves_it_whole()
    {
        await using var running = FrontierFactory.Create(new CrawlOptions { State = StatePath });
        await running.AddAsync(Request("/a"), default);
        var taken = Assert.Single(await running.TakeAsync(10, default));
        await running.CompleteAsync([taken], Checkpoint(1), default);

        var e = Assert.ThrowsAny<Exception>(() => FrontierFactory.Create(new CrawlOptions { State = StatePath, Fresh = true }));

        Assert.Equal($"state file '{StatePath}' is in use by another crawl", e.Message);
        Assert.Equal(1, (await running.CheckpointAsync(default)).Pages);
        Assert.False(await running.AddAsync(Request("/a"), default));
    }

    [Fact]
    public async Task Fresh_empties_a_state_file_another_version_wrote()
    {
        await using (var old = SqliteFrontier.Open(StatePath))
        {
            await old.AddAsync(Request("/a"), default);
        }
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StatePath};Pooling=False"))
        {
            connection.Open();
            using var version = connection.CreateCommand();
            version.CommandText = "PRAGMA user_version = 99";
            version.ExecuteNonQuery();
        }
        Assert.Throws<InvalidDataException>(() => SqliteFrontier.Open(StatePath));

        await using var fresh = SqliteFrontier.Open(StatePath, fresh: true);

        Assert.True(await fresh.AddAsync(Request("/a"), default));
        Assert.Equal(CrawlCheckpoint.Empty, await fresh.CheckpointAsync(default));
    }

    [Fact]
    public void A_file_that_is_not_a_state_file_is_refused_and_left_alone()
    {
        File.WriteAllText(StatePath, "just some text, not a database\n");

        var e = Assert.Throws<InvalidDataException>(() => SqliteFrontier.Open(StatePath));
        Assert.StartsWith("not an asyncfetch state file", e.Message, StringComparison.Ordinal);
        Assert.Equal("just some text, not a database\n", File.ReadAllText(StatePath));
    }

    [Fact]
    public void Another_sqlite_database_is_refused()
    {
        using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StatePath};Pooling=False"))
        {
            other.Open();
            using var create = other.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT)";
            create.ExecuteNonQuery();
        }

        var e = Assert.Throws<InvalidDataException>(() => SqliteFrontier.Open(StatePath));
        Assert.Contains("another SQLite database", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fresh_deletes_the_state_and_starts_over()
    {
        var options = new CrawlOptions { State = StatePath };
        await using (var frontier = FrontierFactory.Create(options))
        {
            await frontier.AddAsync(Request("/a"), default);
        }
        await using (var resumed = FrontierFactory.Create(options))
        {
            Assert.False(await resumed.AddAsync(Request("/a"), default));
        }

        options.Fresh = true;
        await using var fresh = FrontierFactory.Create(options);
        Assert.True(await fresh.AddAsync(Request("/a"), default));
    }

    [Fact]
    public void Without_a_state_file_the_frontier_is_in_memory()
    {
        Assert.IsType<MemoryFrontier>(FrontierFactory.Create(new CrawlOptions()));
    }

    /// <summary>What the engine does for a fetched page: queue its links, then (on acknowledgement) complete it.</summary>
    private static async Task CompleteAsync(SqliteFrontier frontier, CrawlRequest page, CrawlRequest[] links, CrawlCheckpoint checkpoint)
    {
        foreach (var link in links)
        {
            await frontier.AddAsync(link, default);
        }
        await frontier.CompleteAsync([page], checkpoint, default);
    }

    private static Uri Url(string path) => new("http://site.test" + path);

    private static CrawlRequest Request(string path, int depth = 0) =>
        new(Url(path), depth, depth == 0 ? null : Url("/a").AbsoluteUri, "site.test");

    private static CrawlRequest Hop(CrawlRequest origin, string path) =>
        Request(path) with { Redirect = new RedirectChain(origin, [origin.Key, Url(path).AbsoluteUri], 1, TimeSpan.Zero) };

    private static CrawlCheckpoint Checkpoint(long pages) => new(pages, null, 0);

    private static List<string> Paths(IEnumerable<CrawlRequest> requests) => [.. requests.Select(r => r.Url.AbsolutePath)];
}
