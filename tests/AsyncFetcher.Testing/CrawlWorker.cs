using AsyncFetcher.Loopback;

namespace AsyncFetcher.Testing;

/// <summary>A worker of a crawl shared through Redis (<c>--frontier</c>): the real binary, crawling a loopback site.</summary>
public static class CrawlWorker
{
    /// <summary>
    /// Starts a worker on the site's index page with test defaults: small limits, retries off, a lease no heartbeat
    /// can miss on a slow machine (so only a killed worker's leases run out), its records in
    /// <paramref name="folder"/>/<paramref name="worker"/>.jsonl. <paramref name="flags"/> are added, or replace a
    /// default of the same name.
    /// </summary>
    public static RunningCli Start(LocalSite site, string frontier, string crawlId, string worker, string folder, IReadOnlyList<string>? flags = null, bool quiet = true)
    {
        ArgumentNullException.ThrowIfNull(site);
        var options = new Dictionary<string, string>
        {
            ["--frontier"] = frontier, ["--crawl-id"] = crawlId, ["--worker-id"] = worker, ["--lease"] = "1m", ["--max"] = "4",
            ["--depth"] = "100000", ["--retries"] = "0", ["--output"] = Path.Combine(folder, worker + ".jsonl"),
        };
        for (var i = 0; i + 1 < (flags?.Count ?? 0); i += 2)
        {
            options[flags![i]] = flags[i + 1];
        }
        return RunningCli.Start([
            "crawl", site.Url("/index.html").AbsoluteUri, .. options.SelectMany(o => new[] { o.Key, o.Value }), .. quiet ? new[] { "--quiet" } : []]);
    }
}
