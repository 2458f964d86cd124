using AsyncFetcher.Core.Storage;
using AsyncFetcher.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Tests.Storage;

/// <summary>
/// Workers of one crawl in this test process: each its own connection, frontier and host gate, as separate processes
/// would have. Their heartbeats and waits run on <see cref="Clock"/>, which the test moves forward (and which runs at
/// real pace too, so a retry through a slow connect ends by itself); what Redis times (leases, intervals) the test
/// moves by rewriting the crawl's keys (<see cref="RedisAsync"/>). No test waits for a lease in real time.
/// </summary>
internal sealed class RedisCrawlFixture : IAsyncDisposable
{
    private readonly List<RedisCrawl> crawls = [];
    private readonly Dictionary<RedisFrontier, RedisCrawl> frontiers = [];
    private ConnectionMultiplexer? direct;

    private RedisCrawlFixture(string address, string crawlId)
    {
        Address = address;
        CrawlId = crawlId;
    }

    /// <summary>The clock of the workers' heartbeats, retries and waits.</summary>
    public ShiftingClock Clock { get; } = new();

    /// <summary>The crawl's keys.</summary>
    public RedisKeys Keys => new(CrawlId);

    public string Address { get; }

    public string CrawlId { get; }

    public static async Task<RedisCrawlFixture> StartAsync(string name) => On(await RedisServer.SharedAsync(), name);

    /// <summary>Workers of a crawl on <paramref name="server"/>: a private one, for a test that stops and restarts it.</summary>
    public static RedisCrawlFixture On(RedisServer server, string name) => new(server.Address, RedisServer.NewCrawlId(name));

    public CrawlOptions Options(string worker, TimeSpan? lease = null, int maxPerHost = 0) => new()
    {
        Frontier = Address,
        CrawlId = CrawlId,
        WorkerId = worker,
        Lease = lease ?? TimeSpan.FromSeconds(60),
        MaxPerHost = maxPerHost,
    };

    public RedisCrawl Connect(CrawlOptions options)
    {
        var crawl = new RedisCrawl(options, Clock, NullLogger<RedisCrawl>.Instance);
        crawls.Add(crawl);
        return crawl;
    }

    public RedisFrontier Frontier(string worker, TimeSpan? lease = null)
    {
        var crawl = Connect(Options(worker, lease));
        var frontier = new RedisFrontier(crawl, Clock, NullLogger<RedisFrontier>.Instance);
        frontiers.Add(frontier, crawl);
        return frontier;
    }

    public RedisHostGate Gate(string worker, int maxPerHost, TimeSpan? lease = null) =>
        new(Connect(Options(worker, lease, maxPerHost)), Options(worker, lease, maxPerHost), Clock);

    /// <summary>The worker's link to Redis, whose heartbeat renews what the frontier holds.</summary>
    public RedisCrawl CrawlOf(RedisFrontier frontier) => frontiers[frontier];

    /// <summary>A connection of the test's own, to set the crawl's keys as time passing on Redis's clock would.</summary>
    public async Task<IDatabase> RedisAsync()
    {
        direct ??= await ConnectionMultiplexer.ConnectAsync(Address["redis://".Length..].Split('/')[0]);
        return direct.GetDatabase();
    }

    /// <summary>Makes the leases of <paramref name="keys"/> run out now, as if their --lease had passed unrenewed.</summary>
    public async Task ExpireLeasesAsync(params string[] keys)
    {
        var db = await RedisAsync();
        foreach (var key in keys)
        {
            await db.SortedSetAddAsync(Keys.Leases, key, 0);
        }
    }

    /// <summary>Stops a worker as kill -9 would: its connection and heartbeat end, nothing is released.</summary>
    public async Task KillAsync(RedisFrontier frontier)
    {
        var crawl = frontiers[frontier];
        frontiers.Remove(frontier);
        crawls.Remove(crawl);
        await crawl.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (direct is not null)
        {
            await direct.CloseAsync();
            direct.Dispose();
        }
        foreach (var frontier in frontiers.Keys)
        {
            await frontier.DisposeAsync();
        }
        foreach (var crawl in crawls)
        {
            await crawl.DisposeAsync();
        }
    }
}
