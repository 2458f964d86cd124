using AsyncFetcher.Core.Storage;
using AsyncFetcher.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace AsyncFetcher.Core.Tests.Storage;

/// <summary>Workers of one crawl in this test process: each its own connection, frontier and host gate, as separate processes would have.</summary>
internal sealed class RedisCrawlFixture : IAsyncDisposable
{
    private readonly List<RedisCrawl> crawls = [];
    private readonly Dictionary<RedisFrontier, RedisCrawl> frontiers = [];

    private RedisCrawlFixture(string address, string crawlId)
    {
        Address = address;
        CrawlId = crawlId;
    }

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
        var crawl = new RedisCrawl(options, TimeProvider.System, NullLogger<RedisCrawl>.Instance);
        crawls.Add(crawl);
        return crawl;
    }

    public RedisFrontier Frontier(string worker, TimeSpan? lease = null)
    {
        var crawl = Connect(Options(worker, lease));
        var frontier = new RedisFrontier(crawl, TimeProvider.System, NullLogger<RedisFrontier>.Instance);
        frontiers.Add(frontier, crawl);
        return frontier;
    }

    public RedisHostGate Gate(string worker, int maxPerHost, TimeSpan? lease = null) =>
        new(Connect(Options(worker, lease, maxPerHost)), Options(worker, lease, maxPerHost), TimeProvider.System);

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
