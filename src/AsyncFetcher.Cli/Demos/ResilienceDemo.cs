using System.Collections.Concurrent;
using System.Diagnostics;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Fetching;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo resilience</c>: the crawler's real <see cref="Fetcher"/> and its HttpClient from
/// <see cref="ResilienceSetup.AddCrawlerHttpClient"/> against a server that fails twice (503) and
/// one that says 429 with Retry-After: retries with exponential backoff, and the header honoured.
/// </summary>
internal sealed class ResilienceDemo(int retryDelayMs = 100, bool retryAfter = true) : IDemo
{
    public string Name => "resilience";

    public string Summary => "Retry with backoff and Retry-After through the real resilience pipeline";

    public string Takeaway => "retries, jittered backoff and Retry-After live in one pipeline inside the HttpClient, not in loops at the call site.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var arrivals = new ConcurrentDictionary<string, ConcurrentQueue<long>>(StringComparer.Ordinal);
        site.Map("/flaky", context =>
        {
            var seen = Arrive(arrivals, "flaky", clock);
            context.Response.StatusCode = seen <= 2 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return Task.CompletedTask;
        });
        site.Map("/busy", context =>
        {
            if (Arrive(arrivals, "busy", clock) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
            }
            return Task.CompletedTask;
        });

        var options = new CrawlOptions { Retries = 3, RetryDelay = TimeSpan.FromMilliseconds(retryDelayMs), Timeout = TimeSpan.FromSeconds(10) };
        await using var services = DemoServices.Build(options);
        var fetcher = services.GetRequiredService<Fetcher>();
        // The demo site is on loopback: like a crawl's seed, it allows its own network (ConnectionGuard).
        fetcher.AddSeed(site.Url("/"));
        output.WriteLine($"--retries {options.Retries} --retry-delay {retryDelayMs}ms: exponential backoff with jitter");

        var flaky = await fetcher.FetchAsync(site.Url("/flaky"), keepBody: false, cancellationToken);
        var flakyGaps = Gaps(arrivals["flaky"]);
        output.WriteLine($"a server that answers 503 twice, then 200: status {flaky.Status} after {flaky.Attempts} attempts; the server saw {arrivals["flaky"].Count} requests");
        output.WriteLine($"  waits between attempts (server clock): {string.Join(", ", flakyGaps.Select(g => $"{g} ms"))}");

        FetchResponse? busy = null;
        long busyGap = 0;
        if (retryAfter)
        {
            busy = await fetcher.FetchAsync(site.Url("/busy"), keepBody: false, cancellationToken);
            busyGap = Gaps(arrivals["busy"]).FirstOrDefault();
            output.WriteLine($"a server that answers 429 with Retry-After: 1, then 200: status {busy.Status} after {busy.Attempts} attempts, {busyGap} ms apart");
        }
        output.WriteLine("No retry loop in asyncfetch: one Polly pipeline (total timeout, retry) in a ResilienceHandler on the one HttpClient.");
        return new Outcome(flaky.Status, flaky.Attempts, arrivals["flaky"].Count, flakyGaps, busy?.Status, busy?.Attempts ?? 0, busyGap);
    }

    private static int Arrive(ConcurrentDictionary<string, ConcurrentQueue<long>> arrivals, string key, Stopwatch clock)
    {
        var queue = arrivals.GetOrAdd(key, _ => new ConcurrentQueue<long>());
        queue.Enqueue(clock.ElapsedMilliseconds);
        return queue.Count;
    }

    private static List<long> Gaps(IEnumerable<long> times)
    {
        var list = times.ToList();
        return [.. list.Zip(list.Skip(1), (a, b) => b - a)];
    }

    internal sealed record Outcome(int? FlakyStatus, int FlakyAttempts, int FlakyServerRequests, IReadOnlyList<long> FlakyGapsMs, int? BusyStatus, int BusyAttempts, long BusyGapMs) : DemoResult;
}
