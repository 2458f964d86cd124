using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Storage;

/// <summary>Per-host politeness kept in Redis, across "workers" with their own connections.</summary>
public sealed class RedisHostGateTests
{
    private const string Host = "http://127.0.0.1:9";

    [Fact]
    public async Task The_per_host_cap_holds_across_workers_and_a_freed_slot_wakes_the_waiting_one()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("gate-cap");
        var a = crawl.Gate("a", maxPerHost: 1);
        var b = crawl.Gate("b", maxPerHost: 1);

        Assert.True((await a.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None)).IsEntered);
        var turnedAway = await b.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None);
        Assert.False(turnedAway.IsEntered);

        await a.ExitAsync(Host, CancellationToken.None);

        // The retry task says "ask again": it may also complete for other reasons (a reconnect), so ask until let in.
        // A lost wake-up would leave this waiting for the lease, which runs on the test's clock: it fails instead.
        while (!turnedAway.IsEntered)
        {
            await turnedAway.Retry!.WaitAsync(TimeSpan.FromMinutes(1));
            turnedAway = await b.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None);
        }
        Assert.False((await a.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None)).IsEntered);
    }

    [Fact]
    public async Task The_per_host_interval_holds_across_workers()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("gate-interval");
        var a = crawl.Gate("a", maxPerHost: 10);
        var b = crawl.Gate("b", maxPerHost: 10);
        var interval = TimeSpan.FromMinutes(1);

        Assert.True((await a.EnterAsync(Host, interval, CancellationToken.None)).IsEntered);
        var turnedAway = await b.EnterAsync(Host, interval, CancellationToken.None);

        Assert.False(turnedAway.IsEntered);
        Assert.False(turnedAway.Retry!.IsCompleted);
        // The interval passes: on Redis's clock (its "next allowed" key runs out), and on the workers' clock.
        await (await crawl.RedisAsync()).KeyDeleteAsync(crawl.Keys.HostNext(Host));
        crawl.Clock.Advance(interval);
        await turnedAway.Retry.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.True((await b.EnterAsync(Host, interval, CancellationToken.None)).IsEntered);
        Assert.False((await a.EnterAsync(Host, interval, CancellationToken.None)).IsEntered);
    }

    [Fact]
    public async Task Other_hosts_are_not_held_up()
    {
        await using var crawl = await RedisCrawlFixture.StartAsync("gate-hosts");
        var a = crawl.Gate("a", maxPerHost: 1);

        Assert.True((await a.EnterAsync(Host, TimeSpan.FromSeconds(10), CancellationToken.None)).IsEntered);
        Assert.True((await a.EnterAsync("http://127.0.0.2:9", TimeSpan.FromSeconds(10), CancellationToken.None)).IsEntered);
    }

    [Fact]
    public async Task A_slot_freed_while_redis_is_down_is_free_once_redis_is_back_not_when_its_lease_runs_out()
    {
        await using var server = await RedisServer.StartAsync(persistent: true);
        await using var crawl = RedisCrawlFixture.On(server, "gate-outage");
        // Leases far longer than the test: only the release itself can free the slot in time.
        var a = crawl.Gate("a", maxPerHost: 1, lease: TimeSpan.FromMinutes(10));
        var b = crawl.Gate("b", maxPerHost: 1, lease: TimeSpan.FromMinutes(10));
        Assert.True((await a.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None)).IsEntered);

        await server.StopAsync();
        await a.ExitAsync(Host, CancellationToken.None);
        await server.RestartAsync();

        var entry = await b.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None);
        while (!entry.IsEntered)
        {
            // A lost release would leave b waiting ten minutes for the lease: a minute is plenty for a retried one.
            await entry.Retry!.WaitAsync(TimeSpan.FromMinutes(1));
            entry = await b.EnterAsync(Host, TimeSpan.Zero, CancellationToken.None);
        }
    }
}
