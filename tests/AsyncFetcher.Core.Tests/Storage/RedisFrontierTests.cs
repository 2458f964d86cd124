using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Tests.Storage;

/// <summary>The shared frontier against a real redis-server: several "workers" in one test, each with its own connection.</summary>
public sealed class RedisFrontierTests
{
    private static CrawlRequest Request(string path, int depth = 0, string? parent = null) =>
        new(new Uri("http://127.0.0.1:9/" + path), depth, parent, "127.0.0.1");

    [Fact]
    public async Task A_url_added_by_several_workers_is_queued_once()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("add-once");
        var a = crawl.Frontier("a");
        var b = crawl.Frontier("b");

        Assert.True(await a.AddAsync(Request("seed"), CancellationToken.None));
        Assert.False(await b.AddAsync(Request("seed"), CancellationToken.None));

        var taken = await b.TakeAsync(10, CancellationToken.None);
        Assert.Equal("http://127.0.0.1:9/seed", Assert.Single(taken).Key);
        Assert.Empty(await a.TakeAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_taken_request_comes_back_whole()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("roundtrip");
        var a = crawl.Frontier("a");
        var request = new CrawlRequest(new Uri("http://127.0.0.1:9/a%20b?q=1"), 3, "http://127.0.0.1:9/parent", "127.0.0.1");

        await a.AddAsync(request, CancellationToken.None);

        Assert.Equal(request, Assert.Single(await a.TakeAsync(1, CancellationToken.None)));
    }

    [Fact]
    public async Task Discovered_links_are_queued_only_when_not_seen_before()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("discover");
        var a = crawl.Frontier("a");
        await a.AddAsync(Request("seed"), CancellationToken.None);
        var seed = Assert.Single(await a.TakeAsync(10, CancellationToken.None));

        await a.AddAsync([Request("x", 1, seed.Key), Request("seed", 1, seed.Key), Request("x", 1, seed.Key)], CancellationToken.None);
        await a.CompleteAsync([seed], CrawlCheckpoint.Empty, CancellationToken.None);

        Assert.Equal(["http://127.0.0.1:9/x"], (await a.TakeAsync(10, CancellationToken.None)).Select(r => r.Key));
    }

    [Fact]
    public async Task A_dead_workers_lease_expires_and_another_worker_takes_the_url()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("expiry");
        var lease = TimeSpan.FromMinutes(1);
        var dead = crawl.Frontier("dead", lease);
        var live = crawl.Frontier("live", lease);
        await dead.AddAsync(Request("seed"), CancellationToken.None);
        Assert.Single(await dead.TakeAsync(10, CancellationToken.None));
        await crawl.KillAsync(dead);

        // Not over while a lease is live: the wait ends when it expires (Redis time), not by polling.
        Assert.Empty(await live.TakeAsync(10, CancellationToken.None));
        var wait = live.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(wait.IsCompleted);
        await crawl.ExpireLeasesAsync("http://127.0.0.1:9/seed");
        crawl.Clock.Advance(lease);

        Assert.False(await wait.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal("http://127.0.0.1:9/seed", Assert.Single(await live.TakeAsync(10, CancellationToken.None)).Key);
    }

    [Fact]
    public async Task A_live_workers_leases_are_renewed_past_their_first_expiry()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("renew");
        var lease = TimeSpan.FromMinutes(1);
        var busy = crawl.Frontier("busy", lease);
        var idle = crawl.Frontier("idle", lease);
        await busy.AddAsync(Request("slow-download"), CancellationToken.None);
        Assert.Single(await busy.TakeAsync(10, CancellationToken.None));
        var renewed = new TaskCompletionSource();
        // Heartbeat steps run in order: this one runs once the frontier's renewal is done.
        crawl.CrawlOf(busy).OnHeartbeat(_ =>
        {
            renewed.TrySetResult();
            return Task.CompletedTask;
        });

        // The lease is due to run out, as it would be after --lease without a heartbeat; then the heartbeat comes.
        await crawl.ExpireLeasesAsync("http://127.0.0.1:9/slow-download");
        crawl.Clock.Advance(lease / 3);
        await renewed.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Empty(await idle.TakeAsync(10, CancellationToken.None));
        Assert.Equal(1, busy.Held);
    }

    [Fact]
    public async Task Releasing_gives_the_url_to_another_worker_at_once()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("release");
        var stopping = crawl.Frontier("stopping");
        var other = crawl.Frontier("other");
        await stopping.AddAsync(Request("seed"), CancellationToken.None);
        var seed = Assert.Single(await stopping.TakeAsync(10, CancellationToken.None));
        Assert.Empty(await other.TakeAsync(10, CancellationToken.None));
        var woken = other.WaitAsync(CancellationToken.None).AsTask();

        await stopping.ReleaseAsync(seed, CancellationToken.None);

        Assert.False(await woken.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(seed, Assert.Single(await other.TakeAsync(10, CancellationToken.None)));
    }

    [Fact]
    public async Task Waiting_workers_learn_the_crawl_is_over_when_the_last_lease_completes()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("finish");
        var last = crawl.Frontier("last");
        var waiting = crawl.Frontier("waiting");
        await last.AddAsync(Request("seed"), CancellationToken.None);
        var seed = Assert.Single(await last.TakeAsync(10, CancellationToken.None));
        Assert.Empty(await waiting.TakeAsync(10, CancellationToken.None));
        var woken = waiting.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(woken.IsCompleted);

        await last.CompleteAsync([seed], CrawlCheckpoint.Empty, CancellationToken.None);

        Assert.False(await woken.WaitAsync(TimeSpan.FromMinutes(1))); // something changed: take again to see what
        Assert.Empty(await waiting.TakeAsync(10, CancellationToken.None));
        Assert.True(await waiting.WaitAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_redirect_hop_seen_in_a_chain_that_never_completed_may_be_fetched_again()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("hops");
        var a = crawl.Frontier("a");
        var origin = Request("old");
        var hop = Request("new") with { Redirect = new RedirectChain(origin, [origin.Key, "http://127.0.0.1:9/new"], 1, TimeSpan.Zero) };
        var otherChain = Request("elsewhere") with { Redirect = new RedirectChain(Request("other"), ["http://127.0.0.1:9/other", "http://127.0.0.1:9/new"], 1, TimeSpan.Zero) };

        Assert.True(await a.MarkSeenAsync(hop, CancellationToken.None));
        Assert.True(await a.MarkSeenAsync(hop, CancellationToken.None)); // the chain's worker died; its next taker follows it again
        Assert.False(await a.MarkSeenAsync(otherChain with { Url = hop.Url }, CancellationToken.None));
        await a.AddAsync(origin, CancellationToken.None);
        var taken = Assert.Single(await a.TakeAsync(1, CancellationToken.None));
        await a.CompleteAsync([taken], CrawlCheckpoint.Empty, CancellationToken.None);
        Assert.False(await a.MarkSeenAsync(hop, CancellationToken.None));
    }
}
