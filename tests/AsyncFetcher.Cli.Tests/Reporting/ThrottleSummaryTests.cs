using AsyncFetcher.Core.Output.Summary;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>The auto-throttle as a user sees it: where a host that rate-limits settled, in the summary and in --summary-json.</summary>
public sealed class ThrottleSummaryTests : IDisposable
{
    private readonly TempDirectory dir = new("throttle");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_summary_shows_the_pace_a_host_that_answers_429_settled_on()
    {
        await using var site = await RateLimitedSiteAsync();
        var json = dir.File("summary.json");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--max-per-host", "6", "--retry-delay", "0s", "-o", dir.File("records.jsonl"), "--summary-json", json]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var summary = SummaryJson.Deserialize(File.ReadAllText(json))!;
        Assert.Equal(31, summary.Pages);
        Assert.Equal(0, summary.ErrorCount);
        var host = Assert.Single(summary.Hosts);
        Assert.True(host.Backoffs > 0, $"{host.Backoffs} back-offs");
        Assert.InRange(host.Concurrency!.Value, 1, 5);
        Assert.Equal(0, host.DelayMs);
        Assert.Contains(run.StderrLines, l => l.StartsWith($"throttle {site.BaseUrl.Authority} settled at {host.Concurrency} at a time (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_auto_throttle_off_the_summary_has_no_pace()
    {
        await using var site = await RateLimitedSiteAsync();
        var json = dir.File("summary.json");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--auto-throttle", "off", "--retry-delay", "0s", "-o", dir.File("records.jsonl"), "--summary-json", json]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var host = Assert.Single(SummaryJson.Deserialize(File.ReadAllText(json))!.Hosts);
        Assert.Null(host.Concurrency);
        Assert.DoesNotContain(run.StderrLines, l => l.StartsWith("throttle", StringComparison.Ordinal));
    }

    /// <summary>
    /// A page linking to 30 more, that answers 429 (Retry-After: 0) to a request that finds two others in flight. The
    /// first six are held until all six have come (the throttle starts at --max-per-host 6, so they do), so the
    /// first round surely meets the limit.
    /// </summary>
    private static async Task<LocalSite> RateLimitedSiteAsync()
    {
        var site = await LocalSite.StartAsync();
        site.Links("/", [.. Enumerable.Range(1, 30).Select(i => $"/p/{i}")]);
        var inFlight = 0;
        var arrived = 0;
        var firstRound = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        site.Fallback = async context =>
        {
            if (!context.Request.Path.StartsWithSegments("/p"))
            {
                context.Response.StatusCode = 404;
                return;
            }
            var busy = Interlocked.Increment(ref inFlight) > 3;
            try
            {
                var order = Interlocked.Increment(ref arrived);
                if (order <= 6)
                {
                    busy = order > 2;
                    if (order == 6)
                    {
                        firstRound.TrySetResult();
                    }
                    await firstRound.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                if (busy)
                {
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = "0";
                    return;
                }
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(LocalSite.Html(context.Request.Path, ""));
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        };
        return site;
    }
}
