using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Loopback;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo semaphore</c>: <see cref="SemaphoreSlim"/> as <c>asyncio.Semaphore</c>, capping requests in
/// flight at N while the server counts its peak; then the real engine with <c>--max N</c>, whose
/// workers take the same kind of semaphore around every fetch.
/// </summary>
internal sealed class SemaphoreDemo(int limit = 3, int requests = 12, int delayMs = 50) : IDemo
{
    public string Name => "semaphore";

    public string Summary => "SemaphoreSlim caps requests in flight at N; the server reports its peak";

    public string Takeaway => "SemaphoreSlim(n) is asyncio.Semaphore(n): at most n at once, and Release() in finally.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var delay = TimeSpan.FromMilliseconds(delayMs);
        output.WriteLine($"{requests} requests of {delayMs} ms, started at once with Task.WhenAll");

        await Task.WhenAll(Enumerable.Range(0, requests).Select(i => client.GetStringAsync(site.Work($"{i}", delay, hold: requests), cancellationToken)));
        var unlimited = site.Server.PeakInFlight;
        output.WriteLine($"no limit:                  server peak in flight {unlimited,2}");

        site.Server.ResetCounters();
        using var gate = new SemaphoreSlim(limit, limit);
        var holders = new InFlightGauge();
        await Task.WhenAll(Enumerable.Range(0, requests).Select(async i =>
        {
            await gate.WaitAsync(cancellationToken);
            holders.Enter();
            try
            {
                await client.GetStringAsync(site.Work($"{i}", delay), cancellationToken);
            }
            finally
            {
                // Released in finally: a failed request must not keep its slot for ever.
                holders.Leave();
                gate.Release();
            }
        }));
        var limited = site.Server.PeakInFlight;
        output.WriteLine($"SemaphoreSlim({limit}):          server peak in flight {limited,2} (slots held at once: {holders.Peak})");

        site.Server.ResetCounters();
        var pages = Enumerable.Range(0, requests).Select(i => $"/p{i}").ToArray();
        site.Page("/", pages);
        foreach (var page in pages)
        {
            site.Map(page, async context =>
            {
                await Task.Delay(delay, context.RequestAborted);
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<title>page</title>", context.RequestAborted);
            });
        }
        var options = new CrawlOptions { Max = limit, Depth = 1, Retries = 0, Timeout = TimeSpan.FromSeconds(10) };
        await using var services = DemoServices.Build(options);
        var records = 0;
        await foreach (var _ in services.GetRequiredService<CrawlEngine>().RunAsync([site.Url("/")], cancellationToken))
        {
            records++;
        }
        var engine = site.Server.PeakInFlight;
        output.WriteLine($"CrawlEngine with --max {limit}: server peak in flight {engine,2} ({records} pages crawled)");
        return new Outcome(limit, requests, unlimited, limited, holders.Peak, engine, records);
    }

    internal sealed record Outcome(int Limit, int Requests, int UnlimitedPeak, int SemaphorePeak, int SlotsHeldPeak, int EnginePeak, int EngineRecords) : DemoResult;
}
