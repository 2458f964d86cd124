using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Cli.Tests.Reporting;

public sealed class SummaryTextTests
{
    [Fact]
    public void A_summary_rebuilt_from_records_leaves_out_what_only_the_live_crawl_knows()
    {
        var text = SummaryText.Format(new SummaryReport { Pages = 1, DurationSeconds = 0.5, PagesPerSecond = 2, Disallowed = 0, Output = new OutputSummary { Records = "r.jsonl" } });

        Assert.Equal(
            "1 page in 500 ms (2.0 pages/s), 0 B\n" +
            "  requests 0 retries · 0 redirects\n" +
            "  skipped  0 disallowed by robots.txt\n" +
            "  output   records in r.jsonl",
            text);
    }

    [Fact]
    public void Breaker_pauses_held_URLs_and_an_early_stop_are_shown()
    {
        var text = SummaryText.Format(new SummaryReport
        {
            StoppedEarly = true,
            Pages = 2_500,
            DurationSeconds = 125,
            PagesPerSecond = 20,
            Bytes = 3 << 20,
            StatusClasses = new StatusClassCounts { Success = 2_400, ServerError = 100 },
            Statuses = [new StatusCount(200, 2_400), new StatusCount(503, 100)],
            Retries = 300,
            BreakerPauses = 2,
            HeldByBreaker = 40,
            Truncated = 1,
            OutOfScope = 12,
        });

        Assert.Equal(
            "stopped early: 2,500 pages in 2m05s (20.0 pages/s), 3.00 MiB\n" +
            "  status   2xx 2,400 · 5xx 100\n" +
            "  top      200 ×2,400 · 503 ×100\n" +
            "  requests 300 retries · 2 breaker pauses (40 URLs held) · 0 redirects · 1 body truncated\n" +
            "  skipped  0 disallowed by robots.txt · 12 links out of scope",
            text);
    }
}
