using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo async-streams</c>: the real <see cref="CrawlEngine.RunAsync"/> is an
/// <see cref="IAsyncEnumerable{T}"/> (an async generator): records arrive while the crawl is still
/// running, and leaving the <c>await foreach</c> early stops the crawl and its requests.
/// </summary>
internal sealed class AsyncStreamsDemo(int pages = 10, int delayMs = 40) : IDemo
{
    public string Name => "async-streams";

    public string Summary => "await foreach over the real CrawlEngine.RunAsync: streaming, and break stops the crawl";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        var links = Enumerable.Range(0, pages).Select(i => $"/p{i}").ToArray();
        site.Page("/", links);
        foreach (var link in links)
        {
            site.Map(link, async context =>
            {
                await Task.Delay(delayMs, context.RequestAborted);
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync($"<title>{link}</title>", context.RequestAborted);
            });
        }
        var options = new CrawlOptions { Max = 2, Depth = 1, Retries = 0, Timeout = TimeSpan.FromSeconds(10) };
        output.WriteLine($"a site of 1 index + {pages} pages ({delayMs} ms each), crawled with --max {options.Max}");

        // 1. Records stream out as each URL completes, not when the crawl is over.
        var requestsAtFirst = -1;
        var records = 0;
        await using (var services = DemoServices.Build(options))
        {
            await foreach (var record in services.GetRequiredService<CrawlEngine>().RunAsync([site.Url("/")], cancellationToken))
            {
                if (records++ == 0)
                {
                    requestsAtFirst = site.Server.Requests;
                }
                output.WriteLine($"  record {records,2}: {new Uri(record.Url).AbsolutePath,-4} status {record.Status} (server has served {site.Server.Requests} requests so far)");
            }
        }
        var total = site.Server.Requests;
        output.WriteLine($"the first record came when the server had seen {requestsAtFirst} of the crawl's {total} requests");
        output.WriteLine();

        // 2. Leaving the loop disposes the enumerator: the engine cancels what is in flight and returns.
        site.Server.ResetCounters();
        var taken = 0;
        await using (var services = DemoServices.Build(options))
        {
            await foreach (var _ in services.GetRequiredService<CrawlEngine>().RunAsync([site.Url("/")], cancellationToken))
            {
                if (++taken == 3)
                {
                    break;
                }
            }
        }
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        var afterBreak = site.Server.Requests;
        output.WriteLine($"break after {taken} records: the server saw {afterBreak} of {total} requests, and has {site.Server.InFlight} in flight now");
        return new Outcome(records, total, requestsAtFirst, taken, afterBreak, site.Server.InFlight);
    }

    internal sealed record Outcome(int Records, int TotalRequests, int RequestsAtFirstRecord, int TakenBeforeBreak, int RequestsAfterBreak, int InFlightAfterBreak) : DemoResult;
}
