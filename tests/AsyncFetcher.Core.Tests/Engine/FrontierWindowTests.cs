using System.Threading.Channels;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Tests.Engine;

public sealed class FrontierWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Widens_to_hosts_further_on_while_the_ones_held_wait_on_their_delay()
    {
        var (window, hosts) = await WindowAsync(size: 8, widest: 16, Enumerable.Range(1, 10).Select(i => $"http://a.test/{i}").Append("http://b.test/1"));

        await window.RefillAsync(capReached: false, CancellationToken.None);
        Assert.Equal(8, hosts.Queued);
        Assert.Equal(HostScheduler.DecisionKind.Fetch, hosts.Next(T0).Kind);
        Assert.Equal(HostScheduler.DecisionKind.Wait, hosts.Next(T0).Kind);

        // Half a window more reaches b.test, which had nothing waiting: a free slot can go to it.
        Assert.True(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(10, hosts.Queued);
        var next = hosts.Next(T0);
        Assert.Equal(HostScheduler.DecisionKind.Fetch, next.Kind);
        Assert.Equal("http://b.test/1", next.Request!.Url.AbsoluteUri);
        // The frontier has nothing more.
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
    }

    [Fact]
    public async Task Stops_widening_at_its_widest_and_after_a_batch_of_hosts_already_waiting()
    {
        var urls = Enumerable.Range(1, 40).Select(i => $"http://{(i <= 20 ? "a" : "b")}.test/{i}").ToList();
        var (window, hosts) = await WindowAsync(size: 8, widest: 12, urls);
        await window.RefillAsync(capReached: false, CancellationToken.None);

        // 8 of a.test held, 4 more would bring no new host: the batch is taken, and widening stops until a top-up.
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(12, hosts.Queued);
        // At its widest (12), it takes no more, though b.test is next in the frontier.
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(12, hosts.Queued);
    }

    /// <summary>A window over a frontier holding <paramref name="urls"/> in order, every host's robots.txt answered at T0, --delay 10s.</summary>
    private static async Task<(FrontierWindow Window, HostScheduler Hosts)> WindowAsync(int size, int widest, IEnumerable<string> urls)
    {
        var frontier = new MemoryFrontier();
        foreach (var url in urls)
        {
            await frontier.AddAsync(new CrawlRequest(new Uri(url), 0, null, new Uri(url).Host), CancellationToken.None);
        }
        var hosts = new HostScheduler(new CrawlOptions { Robots = false, Delay = TimeSpan.FromSeconds(10) });
        return (new FrontierWindow(frontier, hosts, Channel.CreateUnbounded<Event>().Writer, size, widest), hosts);
    }
}
