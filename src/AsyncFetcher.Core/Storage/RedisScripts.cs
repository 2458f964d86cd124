namespace AsyncFetcher.Core.Storage;

/// <summary>
/// The Lua scripts of the shared frontier. Each runs atomically in Redis, so no two workers ever see a
/// half-done step; time is Redis's own clock (TIME), so workers' clocks never need to agree.
/// An entry is "url TAB depth TAB scope TAB parent" (<see cref="FrontierEntry"/>); its key is the URL.
/// The scripts that lease (take, renew, complete) first check the crawl's epoch (KEYS[1], ARGV[1]): a Redis
/// that lost the crawl's keys answers with the <see cref="Lost"/> error instead of quietly starting over.
/// </summary>
/// <remarks>One file for every script: they are one protocol, read together (docs/09-distributed.md).</remarks>
internal static class RedisScripts
{
    /// <summary>The error a leasing script answers when the crawl's epoch is gone or changed: Redis lost the crawl.</summary>
    public const string Lost = "ASYNCFETCH_LOST";

    private const string Now = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

        """;

    private const string CheckEpoch = """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('ASYNCFETCH_LOST the crawl epoch is gone') end

        """;

    /// <summary>
    /// Joins the crawl: sets its epoch if no worker did yet, and returns the epoch in force.
    /// KEYS: epoch. ARGV: a new epoch, used only by the crawl's first worker.
    /// </summary>
    public const string JoinEpoch = """
        redis.call('SET', KEYS[1], ARGV[1], 'NX')
        return redis.call('GET', KEYS[1])
        """;

    /// <summary>
    /// Queues entries not seen before, and publishes "work" when that made an empty queue non-empty: only
    /// then can a worker be waiting for work (its take found the queue empty), so a busy crawl sends almost
    /// no messages. KEYS: seen, queue. ARGV: channel, entries... Returns how many were queued.
    /// </summary>
    public const string Add = """
        local was_empty = redis.call('LLEN', KEYS[2]) == 0
        local added = 0
        for i = 2, #ARGV do
          local key = string.match(ARGV[i], '^[^\t]*')
          if redis.call('SADD', KEYS[1], key) == 1 then
            redis.call('RPUSH', KEYS[2], ARGV[i])
            added = added + 1
          end
        end
        if added > 0 and was_empty then redis.call('PUBLISH', ARGV[1], 'work') end
        return added
        """;

    /// <summary>
    /// Marks a redirect hop seen. A hop already seen may still go when it belongs to the same chain and
    /// that chain's URL is not done: its first worker died mid-chain, and the chain is being fetched again.
    /// KEYS: seen, hops, done. ARGV: hop key, origin key. Returns 1 when the hop should be fetched.
    /// </summary>
    public const string MarkSeen = """
        if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
          redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
          return 1
        end
        if redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] and redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 0 then
          return 1
        end
        return 0
        """;

    /// <summary>
    /// Takes up to ARGV[2] entries on a lease of ARGV[3] ms for worker ARGV[4], after putting expired
    /// leases back at the head of the queue. KEYS: epoch, queue, leases, taken, owners. ARGV: epoch, max,
    /// lease ms, worker, channel. Returns the entries taken; or, when none, the ms until the first live lease
    /// expires, or -1 when nothing is queued and nothing is leased: the crawl is over.
    /// </summary>
    public const string Take = CheckEpoch + Now + """
        local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now)
        for _, key in ipairs(expired) do
          local entry = redis.call('HGET', KEYS[4], key)
          redis.call('ZREM', KEYS[3], key)
          redis.call('HDEL', KEYS[4], key)
          redis.call('HDEL', KEYS[5], key)
          if entry then redis.call('LPUSH', KEYS[2], entry) end
        end
        local taken = redis.call('LPOP', KEYS[2], tonumber(ARGV[2]))
        if taken then
          local expiry = now + tonumber(ARGV[3])
          for _, entry in ipairs(taken) do
            local key = string.match(entry, '^[^\t]*')
            redis.call('ZADD', KEYS[3], expiry, key)
            redis.call('HSET', KEYS[4], key, entry)
            redis.call('HSET', KEYS[5], key, ARGV[4])
          end
          if #expired > 0 and redis.call('LLEN', KEYS[2]) > 0 then redis.call('PUBLISH', ARGV[5], 'work') end
          return taken
        end
        local first = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
        if #first == 0 then return -1 end
        return tonumber(first[2]) - now
        """;

    /// <summary>
    /// Marks URLs done (their records were written; the links they found were added before), drops their
    /// leases, and counts the failed ones. When that was the last lease and the queue is empty, the crawl is
    /// over: idle workers are told. KEYS: epoch, queue, leases, taken, owners, done, failed. ARGV: epoch,
    /// channel, n, then n done keys, then the failed keys among them.
    /// </summary>
    public const string Complete = CheckEpoch + """
        local n = tonumber(ARGV[3])
        for i = 4, 3 + n do
          local key = ARGV[i]
          redis.call('ZREM', KEYS[3], key)
          redis.call('HDEL', KEYS[4], key)
          redis.call('HDEL', KEYS[5], key)
          redis.call('SADD', KEYS[6], key)
          redis.call('SREM', KEYS[7], key)
        end
        for i = 4 + n, #ARGV do
          redis.call('SADD', KEYS[7], ARGV[i])
        end
        if redis.call('LLEN', KEYS[2]) == 0 and redis.call('ZCARD', KEYS[3]) == 0 then
          redis.call('PUBLISH', ARGV[2], 'finished')
        end
        return n
        """;

    /// <summary>
    /// Gives a leased URL back (its worker is stopping): at the head of the queue, at once. Only the lease's
    /// owner may: a lease that expired and went to another worker stays theirs.
    /// KEYS: queue, leases, taken, owners. ARGV: channel, key, worker. Returns 1 when released.
    /// </summary>
    public const string Release = """
        local key = ARGV[2]
        if redis.call('HGET', KEYS[4], key) ~= ARGV[3] then return 0 end
        local entry = redis.call('HGET', KEYS[3], key)
        redis.call('ZREM', KEYS[2], key)
        redis.call('HDEL', KEYS[3], key)
        redis.call('HDEL', KEYS[4], key)
        if entry and redis.call('LPUSH', KEYS[1], entry) == 1 then redis.call('PUBLISH', ARGV[1], 'work') end
        return 1
        """;

    /// <summary>
    /// Gives back every lease worker ARGV[2] owns, as <see cref="Release"/> does one: what a stopping worker holds,
    /// including a batch whose take was cut short by the stop after Redis had leased it (the worker never saw it).
    /// KEYS: queue, leases, taken, owners. ARGV: channel, worker. Returns how many were released.
    /// </summary>
    public const string ReleaseOwned = """
        local owners = redis.call('HGETALL', KEYS[4])
        local released = 0
        for i = 1, #owners, 2 do
          if owners[i + 1] == ARGV[2] then
            local key = owners[i]
            local entry = redis.call('HGET', KEYS[3], key)
            redis.call('ZREM', KEYS[2], key)
            redis.call('HDEL', KEYS[3], key)
            redis.call('HDEL', KEYS[4], key)
            if entry then redis.call('LPUSH', KEYS[1], entry) end
            released = released + 1
          end
        end
        if released > 0 then redis.call('PUBLISH', ARGV[1], 'work') end
        return released
        """;

    /// <summary>
    /// Extends the leases worker ARGV[3] still owns to now + ARGV[2] ms. KEYS: epoch, leases, owners.
    /// ARGV: epoch, lease ms, worker, keys... Returns the keys it no longer owns (they expired and went to another worker).
    /// </summary>
    public const string Renew = CheckEpoch + Now + """
        local expiry = now + tonumber(ARGV[2])
        local lost = {}
        for i = 4, #ARGV do
          if redis.call('HGET', KEYS[3], ARGV[i]) == ARGV[3] then
            redis.call('ZADD', KEYS[2], 'XX', expiry, ARGV[i])
          else
            table.insert(lost, ARGV[i])
          end
        end
        return lost
        """;

    /// <summary>
    /// Asks for one of ARGV[2] slots of a host, held until released or ARGV[4] ms pass unrenewed, and
    /// keeps ARGV[3] ms between the starts of requests to it. KEYS: host slots, host next. ARGV: token,
    /// cap, interval ms, lease ms. Returns {0, 0} when granted; {1, ms} when the interval has ms to run;
    /// {2, ms} when every slot is taken (ms until the first expires, if its worker never releases it).
    /// </summary>
    public const string EnterHost = Now + """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local nextAllowed = tonumber(redis.call('GET', KEYS[2]) or '0')
        if nextAllowed > now then return {1, nextAllowed - now} end
        if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
          local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          return {2, tonumber(first[2]) - now}
        end
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
        local interval = tonumber(ARGV[3])
        if interval > 0 then redis.call('SET', KEYS[2], now + interval, 'PX', interval) end
        return {0, 0}
        """;

    /// <summary>
    /// Frees a host slot; when that opens a full host, tells waiting workers. KEYS: host slots.
    /// ARGV: token, cap, channel, host key.
    /// </summary>
    public const string ExitHost = Now + """
        if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        if redis.call('ZCARD', KEYS[1]) == tonumber(ARGV[2]) - 1 then
          redis.call('PUBLISH', ARGV[3], 'host ' .. ARGV[4])
        end
        return 1
        """;

    /// <summary>Extends this worker's host slots. KEYS: host slots keys. ARGV: lease ms, then one token per key.</summary>
    public const string RenewHosts = Now + """
        local expiry = now + tonumber(ARGV[1])
        for i = 1, #KEYS do
          redis.call('ZADD', KEYS[i], 'XX', expiry, ARGV[i + 1])
        end
        return #KEYS
        """;

    /// <summary>
    /// Counts a page against the crawl-wide --max-pages before it is fetched. A URL counted before (its first
    /// worker died, or a stop handed it back) is let through without counting it again, so the cap is exact.
    /// KEYS: pages. ARGV: URL key, cap. Returns 1 when the page may be fetched, 0 when the cap is reached.
    /// </summary>
    public const string CountPage = """
        if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
        if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
        redis.call('SADD', KEYS[1], ARGV[1])
        return 1
        """;

    /// <summary>
    /// Asks for a host's robots.txt: known to the crawl already, or this worker is to fetch it (it holds the
    /// host's robots lock until it shares it, renewed like a lease), or another worker is fetching it.
    /// KEYS: robots, robots lock. ARGV: host key, worker, lease ms.
    /// Returns {1, answer} when known; {0, ''} when this worker fetches it; {2, ms} while another does (ms until its lock expires).
    /// </summary>
    public const string ClaimRobots = """
        local known = redis.call('HGET', KEYS[1], ARGV[1])
        if known then return {1, known} end
        if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) or redis.call('GET', KEYS[2]) == ARGV[2] then
          redis.call('PEXPIRE', KEYS[2], ARGV[3])
          return {0, ''}
        end
        return {2, tostring(redis.call('PTTL', KEYS[2]))}
        """;

    /// <summary>Shares a host's robots.txt with the crawl and tells the workers waiting for it. KEYS: robots, robots lock. ARGV: host key, answer, channel.</summary>
    public const string ShareRobots = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('DEL', KEYS[2])
        redis.call('PUBLISH', ARGV[3], 'robots ' .. ARGV[1])
        return 1
        """;

    /// <summary>Extends the robots locks worker ARGV[1] holds. KEYS: robots locks. ARGV: worker, lease ms.</summary>
    public const string RenewRobots = """
        for i = 1, #KEYS do
          if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('PEXPIRE', KEYS[i], ARGV[2]) end
        end
        return #KEYS
        """;
}
