using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo async-streams</c>: the real <see cref="CrawlEngine.RunAsync(IEnumerable{Uri}, CancellationToken)"/> is an
/// <see cref="IAsyncEnumerable{T}"/> (an async generator): records arrive while the crawl is still
/// running, and leaving the <c>await foreach</c> early stops the crawl and its requests.
/// </summary>
internal sealed class AsyncStreamsDemo(int pages = 10, int delayMs = 40) : IDemo
{
    public string Name => "async-streams";

    public string Summary => "await foreach over the real CrawlEngine.RunAsync: streaming, and break stops the crawl";

    public string Takeaway => "IAsyncEnumerable streams each record as its page completes, and break stops the crawl behind it.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        var links = Enumerable.Range(0, pages).Select(i => $"/p{i}").ToArray();
        site.Page("/", links);
        var answered = 0;
        var run = "first";
        foreach (var link in links)
        {
            site.Map(link, async context =>
            {
                // Linked pages are held until the demo has its first record: if the engine collected
                // records before returning them, the first would never come while pages wait.
                await site.WaitForAsync(Volatile.Read(ref run), context.RequestAborted);
                await Task.Delay(delayMs, context.RequestAborted);
                Interlocked.Increment(ref answered);
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync($"<title>{link}</title>", context.RequestAborted);
            });
        }
        var options = new CrawlOptions { Max = 2, Depth = 1, Retries = 0, Timeout = TimeSpan.FromSeconds(10) };
        output.WriteLine($"a site of 1 index + {pages} pages ({delayMs} ms each), crawled with --max {options.Max}");

        // 1. Records stream out as each URL completes, not when the crawl is over.
        var answeredAtFirst = -1;
        var records = 0;
        await using (var services = DemoServices.Build(options))
        {
            await foreach (var record in services.GetRequiredService<CrawlEngine>().RunAsync([site.Url("/")], cancellationToken))
            {
                if (records++ == 0)
                {
                    answeredAtFirst = Volatile.Read(ref answered);
                    site.Raise(run);
                }
                output.WriteLine($"  record {records,2}: {new Uri(record.Url).AbsolutePath,-4} status {record.Status} (linked pages answered so far: {Volatile.Read(ref answered)})");
            }
        }
        var total = site.Server.Requests;
        output.WriteLine($"the first record came while {pages - answeredAtFirst} of the {pages} linked pages were still unanswered; the crawl made {total} requests");
        output.WriteLine();

        // 2. Leaving the loop disposes the enumerator: the engine cancels what is in flight and returns.
        // This time the pages are held until the end, so the break certainly comes mid-crawl.
        site.Server.ResetCounters();
        Volatile.Write(ref run, "never");
        var answeredBefore = Volatile.Read(ref answered);
        var taken = 0;
        await using (var services = DemoServices.Build(options))
        {
            await foreach (var _ in services.GetRequiredService<CrawlEngine>().RunAsync([site.Url("/")], cancellationToken))
            {
                // The first record is the index; its links are in flight at the server.
                taken++;
                await site.Server.WaitUntilAsync(s => s.InFlight >= options.Max, TimeSpan.FromSeconds(5), cancellationToken);
                break;
            }
        }
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        var afterBreak = site.Server.Requests;
        var abandoned = site.Server.Aborted;
        output.WriteLine($"break after {taken} record: the server saw {afterBreak} of {total} requests; the {abandoned} in flight were cancelled, {site.Server.InFlight} remain");
        return new Outcome(records, total, answeredAtFirst, taken, afterBreak, abandoned, site.Server.InFlight, Volatile.Read(ref answered) - answeredBefore);
    }

    internal sealed record Outcome(
        int Records,
        int TotalRequests,
        int PagesAnsweredAtFirstRecord,
        int TakenBeforeBreak,
        int RequestsAfterBreak,
        int AbandonedByBreak,
        int InFlightAfterBreak,
        int PagesAnsweredAfterBreak) : DemoResult;
}
