using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output.Summary;

/// <summary>
/// Builds the end summary from the records as they stream past, in memory that does not grow with
/// the number of pages: counters, a latency histogram (not the latencies), one entry per status,
/// error reason, host and second of the crawl. Not thread-safe: the one loop that writes the
/// records feeds it.
/// </summary>
public sealed class CrawlSummary
{
    /// <summary>The most hosts listed in <see cref="SummaryReport.Hosts"/> (those with the most pages).</summary>
    public const int MaxHosts = 200;

    /// <summary>The most points in the timeline; longer crawls get wider time slices.</summary>
    public const int MaxTimelinePoints = 600;

    /// <summary>The error reason records carry when robots.txt kept a seed from being fetched.</summary>
    public const string DisallowedError = "disallowed by robots.txt";

    private const int TopErrors = 10;
    private const int SlowestHosts = 5;
    // Error reasons are a small set, but "internal: <message>" could vary without end: cap the table.
    private const int MaxErrorKinds = 1000;

    /// <summary>The latency histogram's display buckets, in ms: a 1-2-5 series, so the bars stay readable from 1 ms to minutes.</summary>
    private static readonly long[] Edges = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000];

    private readonly LatencyHistogram latency = new();
    private readonly Dictionary<int, long> statuses = [];
    private readonly Dictionary<string, long> errors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HostTotals> hosts = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<long, long> perSecond = [];
    private readonly long[] classes = new long[6];
    private long bytes;
    private long retries;
    private long redirects;
    private long truncated;
    private long errorCount;
    private long disallowed;
    private DateTimeOffset? firstStart;
    private DateTimeOffset? lastEnd;

    /// <summary>Records added.</summary>
    public long Pages { get; private set; }

    /// <summary>Counts one record.</summary>
    public void Add(CrawlResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Pages++;
        bytes += result.Bytes;
        redirects += result.Redirects;
        retries += Math.Max(0, result.Attempts - 1 - result.Redirects);
        if (result.Truncated)
        {
            truncated++;
        }
        classes[result.Status is int s and >= 100 and < 600 ? s / 100 : 0]++;
        if (result.Status is int status)
        {
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }
        if (result.Error is { } error)
        {
            errorCount++;
            if (error == DisallowedError)
            {
                disallowed++;
            }
            var key = errors.Count < MaxErrorKinds || errors.ContainsKey(error) ? error : "other";
            errors[key] = errors.GetValueOrDefault(key) + 1;
        }

        var requested = result.Attempts > 0;
        if (requested)
        {
            latency.Record(result.ElapsedMs);
        }
        var host = Uri.TryCreate(result.Url, UriKind.Absolute, out var uri) ? uri.Authority : "(invalid URL)";
        if (!hosts.TryGetValue(host, out var totals))
        {
            hosts[host] = totals = new HostTotals();
        }
        totals.Add(result, requested);

        var start = result.FetchedAt - TimeSpan.FromMilliseconds(result.ElapsedMs);
        firstStart = firstStart is null || start < firstStart ? start : firstStart;
        lastEnd = lastEnd is null || result.FetchedAt > lastEnd ? result.FetchedAt : lastEnd;
        var second = result.FetchedAt.ToUnixTimeSeconds();
        perSecond[second] = perSecond.GetValueOrDefault(second) + 1;
    }

    /// <summary>The summary so far; <paramref name="run"/> adds what only the live crawl knows.</summary>
    public SummaryReport ToReport(SummaryRun? run = null)
    {
        run ??= new SummaryRun();
        var startedAt = run.StartedAt ?? firstStart;
        var duration = run.Duration ?? (startedAt is { } s && lastEnd is { } e && e > s ? e - s : TimeSpan.Zero);
        var paces = Paces(run.Stats);
        var hostList = hosts.Select(h => WithPace(h.Value.ToSummary(h.Key), paces)).ToList();
        return new SummaryReport
        {
            StartedAt = startedAt,
            DurationSeconds = Math.Round(duration.TotalSeconds, 3),
            StoppedEarly = run.StoppedEarly,
            Pages = Pages,
            PagesPerSecond = duration > TimeSpan.Zero ? Math.Round(Pages / duration.TotalSeconds, 2) : 0,
            Bytes = bytes,
            StatusClasses = new StatusClassCounts
            {
                NoResponse = classes[0],
                Informational = classes[1],
                Success = classes[2],
                Redirection = classes[3],
                ClientError = classes[4],
                ServerError = classes[5],
            },
            Statuses = [.. statuses.OrderByDescending(p => p.Value).ThenBy(p => p.Key).Select(p => new StatusCount(p.Key, p.Value))],
            Errors = [.. errors.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(TopErrors).Select(p => new ErrorCount(p.Key, p.Value))],
            ErrorCount = errorCount,
            Latency = LatencySummary(),
            Retries = retries,
            Redirects = redirects,
            Truncated = truncated,
            Disallowed = run.Stats?.Disallowed ?? disallowed,
            OutOfScope = run.Stats?.OutOfScope,
            LinksOverCap = run.Stats?.LinksOverCap,
            BreakerPauses = run.Stats?.BreakerOpenings,
            HeldByBreaker = run.Stats?.HeldByBreaker,
            Recrawl = run.Stats is { IsRecrawl: true } stats
                ? new RecrawlSummary
                {
                    New = stats.Changes(PageChange.New),
                    Changed = stats.Changes(PageChange.Changed),
                    Unchanged = stats.Changes(PageChange.Unchanged),
                    Gone = stats.Changes(PageChange.Gone),
                }
                : null,
            Sitemaps = run.Stats?.Sitemaps,
            SitemapUrls = run.Stats?.SitemapUrls,
            HostCount = hostList.Count,
            Hosts = [.. hostList.OrderByDescending(h => h.Pages).ThenBy(h => h.Host, StringComparer.Ordinal).Take(MaxHosts)],
            SlowestHosts = [.. hostList.Where(h => h.MeanMs > 0).OrderByDescending(h => h.MeanMs).ThenBy(h => h.Host, StringComparer.Ordinal).Take(SlowestHosts)],
            Timeline = Timeline(startedAt, duration),
            Output = run.Output,
        };
    }

    /// <summary>The auto-throttle's pace of each host, keyed as the host table is (host, with a port that is not the scheme's default).</summary>
    private static Dictionary<string, HostPace> Paces(CrawlStats? stats)
    {
        var paces = new Dictionary<string, HostPace>(StringComparer.OrdinalIgnoreCase);
        foreach (var (hostKey, pace) in stats?.PaceByHost ?? new Dictionary<string, HostPace>())
        {
            if (Uri.TryCreate(hostKey, UriKind.Absolute, out var uri))
            {
                paces[uri.Authority] = pace;
            }
        }
        return paces;
    }

    private static HostSummary WithPace(HostSummary host, Dictionary<string, HostPace> paces) =>
        paces.TryGetValue(host.Host, out var pace)
            ? host with { Concurrency = pace.Concurrency, DelayMs = (long)pace.Delay.TotalMilliseconds, Backoffs = pace.Backoffs }
            : host;

    private LatencySummary LatencySummary()
    {
        var counts = latency.CountBetween(Edges);
        var first = Array.FindIndex(counts, c => c > 0);
        var last = Array.FindLastIndex(counts, c => c > 0);
        var buckets = new List<LatencyBucket>();
        for (var i = Math.Max(first, 0); first >= 0 && i <= last; i++)
        {
            buckets.Add(new LatencyBucket(Edges[i], i + 1 < Edges.Length ? Edges[i + 1] : null, counts[i]));
        }
        return new LatencySummary
        {
            Count = latency.Count,
            P50Ms = latency.Percentile(50),
            P95Ms = latency.Percentile(95),
            P99Ms = latency.Percentile(99),
            MeanMs = Math.Round(latency.Mean, 1),
            MaxMs = latency.Max,
            Histogram = buckets,
        };
    }

    private TimelineSummary Timeline(DateTimeOffset? startedAt, TimeSpan duration)
    {
        if (startedAt is null || perSecond.Count == 0)
        {
            return new TimelineSummary();
        }
        var startSecond = startedAt.Value.ToUnixTimeSeconds();
        var endSecond = Math.Max(perSecond.Keys.Max(), (startedAt.Value + duration).ToUnixTimeSeconds());
        var span = endSecond - startSecond + 1;
        var width = (int)Math.Max(1, (span + MaxTimelinePoints - 1) / MaxTimelinePoints);
        var pages = new long[(span + width - 1) / width];
        foreach (var (second, count) in perSecond)
        {
            pages[Math.Clamp((second - startSecond) / width, 0, pages.Length - 1)] += count;
        }
        return new TimelineSummary { BucketSeconds = width, Pages = pages };
    }

    /// <summary>One host's running totals.</summary>
    private sealed class HostTotals
    {
        private long pages;
        private long errors;
        private long failed;
        private long bytes;
        private long requested;
        private long totalMs;
        private long maxMs;

        public void Add(CrawlResult result, bool wasRequested)
        {
            pages++;
            bytes += result.Bytes;
            if (result.Error is not null)
            {
                errors++;
            }
            if (result.Status >= 400)
            {
                failed++;
            }
            if (wasRequested)
            {
                requested++;
                totalMs += result.ElapsedMs;
                maxMs = Math.Max(maxMs, result.ElapsedMs);
            }
        }

        public HostSummary ToSummary(string host) => new()
        {
            Host = host,
            Pages = pages,
            Errors = errors,
            Failed = failed,
            Bytes = bytes,
            MeanMs = requested == 0 ? 0 : Math.Round((double)totalMs / requested, 1),
            MaxMs = maxMs,
        };
    }
}
