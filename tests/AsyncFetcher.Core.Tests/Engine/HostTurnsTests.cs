using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>
/// Hosts take turns in the frontier, not only in the host scheduler: the engine holds a window of the
/// frontier, and a host whose links were found after a large host's must not wait until the window has
/// worked through that host's pages one delay at a time.
/// </summary>
public sealed class HostTurnsTests
{
    [Fact]
    public async Task A_host_found_after_a_large_one_gets_its_turns_at_once()
    {
        var clock = new WatchedClock();
        await using var large = await LocalSite.StartAsync();
        await using var small = await LocalSite.StartAsync();
        // 3,000 links: more than the window takes (1,024 at --max 2) and widens by (512 a time).
        large.Links("/", [.. Enumerable.Range(0, 3000).Select(i => $"/p{i}")]);
        large.Fallback = Leaf;
        // The small host's home page answers only once the large host's links are in the frontier (its first
        // link was asked for), so the small host's links are queued behind all of them.
        var largeLinksTaken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        large.Map("/p0", async context =>
        {
            largeLinksTaken.TrySetResult();
            await Leaf(context);
        });
        small.Map("/", async context =>
        {
            await largeLinksTaken.Task.WaitAsync(context.RequestAborted);
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(LocalSite.Html("home", "<a href=\"/s1\"></a><a href=\"/s2\"></a><a href=\"/s3\"></a>"));
        });
        small.Fallback = Leaf;
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.FromSeconds(1));
        options.Max = 2;
        options.Depth = 1;
        options.Delay = TimeSpan.FromSeconds(1);
        // Room for slack: the small host's home page answers on real time while the clock jumps a delay at a
        // time, so a few more of the large host's pages may go out before its links are in.
        options.MaxPages = 40;

        var (results, _) = await EngineHarness.CrawlAsync(options, clock, large.Url("/"), small.Url("/"));

        Assert.Equal(40, results.Count);
        // Taken oldest first, the small host's pages would wait behind the large host's 3,000: here the two
        // alternate, one request a delay each, so the small host is done within the first forty pages.
        Assert.Equal(["/", "/s1", "/s2", "/s3"], results.Where(r => r.Url.StartsWith(small.BaseUrl.AbsoluteUri, StringComparison.Ordinal)).Select(r => new Uri(r.Url).AbsolutePath).Order(StringComparer.Ordinal));
    }

    /// <summary>A page with no links, titled with its path.</summary>
    private static Task Leaf(HttpContext context)
    {
        context.Response.ContentType = "text/html";
        return context.Response.WriteAsync(LocalSite.Html(context.Request.Path.Value ?? "/", ""));
    }
}
