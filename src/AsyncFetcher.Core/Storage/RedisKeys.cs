using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// The Redis keys of one crawl, all named <c>asyncfetch:{crawl-id}:...</c>. The braces are a Redis
/// Cluster hash tag: every key of a crawl lands in one slot, so each Lua script may touch all of them.
/// </summary>
internal sealed partial class RedisKeys(string crawlId)
{
    private readonly string prefix = $"asyncfetch:{{{crawlId}}}:";

    public string CrawlId { get; } = crawlId;

    /// <summary>SET of URL keys ever queued (or met as a redirect hop): what makes adding idempotent.</summary>
    public RedisKey Seen => prefix + "seen";

    /// <summary>LIST of entries waiting to be taken, oldest first (breadth-first order).</summary>
    public RedisKey Queue => prefix + "queue";

    /// <summary>ZSET of leased URL keys, scored by lease expiry (Redis time, ms).</summary>
    public RedisKey Leases => prefix + "leases";

    /// <summary>HASH URL key → entry, for leased URLs: what an expired lease puts back in the queue.</summary>
    public RedisKey Taken => prefix + "taken";

    /// <summary>HASH URL key → worker id holding the lease.</summary>
    public RedisKey Owners => prefix + "owners";

    /// <summary>SET of URL keys completed (a record was written, or robots.txt excluded them).</summary>
    public RedisKey Done => prefix + "done";

    /// <summary>SET of completed URL keys whose record has an error.</summary>
    public RedisKey Failed => prefix + "failed";

    /// <summary>HASH redirect-hop URL key → the URL key whose chain reached it.</summary>
    public RedisKey Hops => prefix + "hops";

    /// <summary>
    /// STRING: the crawl's epoch, set by its first worker. Every lease checks it still holds the value the
    /// worker read when it joined: gone or changed means Redis lost the crawl's keys (restarted empty).
    /// </summary>
    public RedisKey Epoch => prefix + "epoch";

    /// <summary>SET of the URL keys counted against --max-pages: the crawl-wide page cap, exact, a URL counted once however often it is fetched.</summary>
    public RedisKey Pages => prefix + "pages";

    /// <summary>HASH host key → its robots.txt as the worker that fetched it shared it, so each host's is fetched once per crawl.</summary>
    public RedisKey Robots => prefix + "robots";

    /// <summary>STRING: the worker fetching a host's robots.txt for the crawl, until it shares it; expires after --lease unrenewed.</summary>
    public RedisKey RobotsLock(string hostKey) => prefix + "host:" + hostKey + ":robots";

    /// <summary>The pub/sub channel that wakes idle workers: "work", "finished", "host &lt;host&gt;", "robots &lt;host&gt;".</summary>
    public RedisChannel Channel => RedisChannel.Literal(prefix + "events");

    /// <summary>ZSET of per-host slot tokens in flight, scored by expiry.</summary>
    public RedisKey HostSlots(string hostKey) => prefix + "host:" + hostKey + ":slots";

    /// <summary>STRING: when (Redis time, ms) the host may next be asked; expires by itself.</summary>
    public RedisKey HostNext(string hostKey) => prefix + "host:" + hostKey + ":next";

    public static bool IsValidCrawlId(string id) => CrawlIdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,100}$")]
    private static partial Regex CrawlIdPattern();
}
