using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// Reads a shared crawl's counts for <c>asyncfetch status</c>. The totals are read atomically; the per-host
/// counts come from scanning the crawl's sets in batches (so a large crawl never blocks Redis) and may be a
/// moment apart from them while workers run.
/// </summary>
internal static class RedisStatus
{
    private const string Totals = """
        return {
          redis.call('LLEN', KEYS[1]), redis.call('ZCARD', KEYS[2]), redis.call('SCARD', KEYS[3]),
          redis.call('SCARD', KEYS[4]), redis.call('SCARD', KEYS[5]), redis.call('EXISTS', KEYS[5])
        }
        """;

    /// <summary>The crawl's counts; null when Redis holds no crawl of that id.</summary>
    public static async Task<CrawlStatus?> ReadAsync(IDatabase db, RedisKeys keys)
    {
        var totals = (long[])(await db.ScriptEvaluateAsync(Totals, [keys.Queue, keys.Leases, keys.Done, keys.Failed, keys.Seen]).ConfigureAwait(false))!;
        if (totals[5] == 0)
        {
            return null;
        }
        var hosts = new Dictionary<string, long[]>(StringComparer.OrdinalIgnoreCase);
        void Count(string url, int column)
        {
            var host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "?";
            if (!hosts.TryGetValue(host, out var row))
            {
                hosts[host] = row = new long[4];
            }
            row[column]++;
        }

        const int batch = 1000;
        for (long start = 0; ; start += batch)
        {
            var entries = await db.ListRangeAsync(keys.Queue, start, start + batch - 1).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                Count(FrontierEntry.KeyOf(entry.ToString()), 0);
            }
            if (entries.Length < batch)
            {
                break;
            }
        }
        var workers = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var owner in db.HashScanAsync(keys.Owners, pageSize: batch).ConfigureAwait(false))
        {
            Count(owner.Name.ToString(), 1);
            var worker = owner.Value.ToString();
            workers[worker] = workers.GetValueOrDefault(worker) + 1;
        }
        await foreach (var url in db.SetScanAsync(keys.Done, pageSize: batch).ConfigureAwait(false))
        {
            Count(url.ToString(), 2);
        }
        await foreach (var url in db.SetScanAsync(keys.Failed, pageSize: batch).ConfigureAwait(false))
        {
            Count(url.ToString(), 3);
        }
        return new CrawlStatus(totals[0], totals[1], totals[2], totals[3], totals[4],
            [.. hosts.OrderByDescending(h => h.Value.Sum()).ThenBy(h => h.Key, StringComparer.Ordinal).Select(h => new HostStatus(h.Key, h.Value[0], h.Value[1], h.Value[2], h.Value[3]))],
            [.. workers.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => (w.Key, w.Value))]);
    }
}
