using AsyncFetcher.Core.Engine;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>Leaving <c>await foreach</c> over <see cref="CrawlEngine.RunAsync(IEnumerable{Uri}, CancellationToken)"/> early ends the crawl.</summary>
public sealed class EarlyBreakTests
{
    [Fact]
    public async Task Breaking_out_early_cancels_in_flight_requests_and_ends_the_crawl()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/hang/1", "/hang/2", "/hang/3");
        foreach (var i in new[] { 1, 2, 3 })
        {
            site.Map($"/hang/{i}", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        }
        await using var provider = EngineHarness.Build(EngineHarness.Fast(max: 2));
        var engine = provider.GetRequiredService<CrawlEngine>();

        var consume = Task.Run(async () =>
        {
            await foreach (var _ in engine.RunAsync([site.Url("/")]))
            {
                // The index is in and its links are hanging at the server: stop reading.
                await site.WaitForRequestsAsync(4, TimeSpan.FromSeconds(30));
                break;
            }
        });

        // A safety net, not a speed check: a crawl that never ends would otherwise hang the test run.
        await consume.WaitAsync(TimeSpan.FromSeconds(30));
        // robots.txt, the index and the two pages --max 2 let through; nothing was sent after the break.
        Assert.Equal(["/robots.txt", "/"], site.Log.Take(2));
        Assert.Equal(4, site.Log.Count);
    }
}
