using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Core.Tests.Output;

public sealed class CrawlSummaryTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Counts_statuses_errors_retries_and_hosts_from_the_records()
    {
        var summary = new CrawlSummary();
        foreach (var record in new[]
        {
            Page("http://a.example/1", 200, ms: 10, at: 0),
            Page("http://a.example/2", 200, ms: 20, at: 0),
            Page("http://a.example/3", 404, ms: 30, at: 1),
            Page("http://a.example/4", 500, ms: 40, at: 1) with { Attempts = 3 },
            Page("http://a.example/5", 200, ms: 50, at: 2) with { Attempts = 3, Redirects = 2 },
            Page("http://b.example:8080/", 200, ms: 1000, at: 2),
            Page("http://b.example:8080/t", null, ms: 2000, at: 3) with { Error = "timeout", Attempts = 2 },
            Page("http://c.example/", null, ms: 0, at: 3) with { Error = CrawlSummary.DisallowedError, Attempts = 0 },
        })
        {
            summary.Add(record);
        }

        var report = summary.ToReport();

        Assert.Equal(8, report.Pages);
        Assert.Equal(new StatusClassCounts { Success = 4, ClientError = 1, ServerError = 1, NoResponse = 2 }, report.StatusClasses);
        Assert.Equal([new StatusCount(200, 4), new StatusCount(404, 1), new StatusCount(500, 1)], report.Statuses);
        Assert.Equal([new ErrorCount(CrawlSummary.DisallowedError, 1), new ErrorCount("timeout", 1)], report.Errors);
        Assert.Equal(2, report.ErrorCount);
        Assert.Equal(3, report.Retries);
        Assert.Equal(2, report.Redirects);
        Assert.Equal(1, report.Disallowed);
        Assert.Null(report.OutOfScope);
        Assert.Equal(960, report.Bytes);

        // The disallowed seed was never requested: it is not a latency of 0 ms.
        Assert.Equal(7, report.Latency.Count);
        Assert.Equal(40, report.Latency.P50Ms);
        Assert.Equal(2000, report.Latency.MaxMs);
        Assert.Equal(7, report.Latency.Histogram.Sum(b => b.Count));
        Assert.Equal(10, report.Latency.Histogram[0].FromMs);

        Assert.Equal(3, report.HostCount);
        Assert.Equal(["a.example", "b.example:8080", "c.example"], report.Hosts.Select(h => h.Host));
        var a = report.Hosts[0];
        Assert.Equal((5, 0, 2, 30.0, 50L), (a.Pages, a.Errors, a.Failed, a.MeanMs, a.MaxMs));
        Assert.Equal(["b.example:8080", "a.example"], report.SlowestHosts.Select(h => h.Host));
        Assert.Equal(1500, report.SlowestHosts[0].MeanMs);

        // Without the live run, the start and duration come from the records: the earliest began 20 ms before it ended at second 0.
        Assert.Equal(Start.AddMilliseconds(-20), report.StartedAt);
        Assert.Equal(3.02, report.DurationSeconds);
        Assert.Equal(1, report.Timeline.BucketSeconds);
        Assert.Equal([0L, 2, 2, 2, 2], report.Timeline.Pages);
    }

    [Fact]
    public void The_live_run_supplies_start_duration_and_the_engine_counters()
    {
        var summary = new CrawlSummary();
        summary.Add(Page("http://a.example/", 200, ms: 10, at: 0.5));
        var stats = new CrawlStats();
        stats.AddDisallowed();
        stats.AddDisallowed();
        stats.SetOutOfScope(7);
        stats.AddBreakerOpenings("http://a.example:80", 2);
        stats.AddHeld();

        var report = summary.ToReport(new SummaryRun
        {
            StartedAt = Start,
            Duration = TimeSpan.FromSeconds(4),
            Stats = stats,
            Output = new OutputSummary { Records = "out.jsonl", Format = "jsonl" },
        });

        Assert.Equal(Start, report.StartedAt);
        Assert.Equal(4, report.DurationSeconds);
        Assert.Equal(0.25, report.PagesPerSecond);
        Assert.Equal(2, report.Disallowed);
        Assert.Equal(7, report.OutOfScope);
        Assert.Equal(2, report.BreakerPauses);
        Assert.Equal(1, report.HeldByBreaker);
        Assert.Equal("out.jsonl", report.Output.Records);
        Assert.Equal([1L, 0, 0, 0, 0], report.Timeline.Pages);
    }

    [Fact]
    public void A_long_crawl_gets_wider_time_slices_but_keeps_every_page()
    {
        var summary = new CrawlSummary();
        for (var second = 0; second < 3 * 3600; second += 7)
        {
            summary.Add(Page($"http://a.example/{second}", 200, ms: 5, at: second));
        }

        var report = summary.ToReport(new SummaryRun { StartedAt = Start, Duration = TimeSpan.FromHours(3) });

        Assert.InRange(report.Timeline.Pages.Count, 500, CrawlSummary.MaxTimelinePoints);
        Assert.InRange(report.Timeline.BucketSeconds * report.Timeline.Pages.Count, 3 * 3600, 3 * 3600 + report.Timeline.BucketSeconds * 2);
        Assert.Equal(report.Pages, report.Timeline.Pages.Sum());
    }

    [Fact]
    public void An_empty_crawl_summarises_to_zeros()
    {
        var report = new CrawlSummary().ToReport();

        Assert.Equal(0, report.Pages);
        Assert.Empty(report.Latency.Histogram);
        Assert.Empty(report.Timeline.Pages);
        Assert.Null(report.StartedAt);
    }

    private static CrawlResult Page(string url, int? status, long ms, double at) => new()
    {
        Url = url,
        FinalUrl = url,
        Status = status,
        Bytes = status is null ? 0 : 160,
        ElapsedMs = ms,
        Attempts = 1,
        FetchedAt = Start.AddSeconds(at),
    };
}
