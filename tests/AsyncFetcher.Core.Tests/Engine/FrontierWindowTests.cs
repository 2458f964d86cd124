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
        var (window, hosts) = Window(size: 8, widest: 16, Enumerable.Range(1, 10).Select(i => $"http://a.test/{i}").Append("http://b.test/1"));

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
        var (window, hosts) = Window(size: 8, widest: 12, urls);
        await window.RefillAsync(capReached: false, CancellationToken.None);

        // 8 of a.test held, 4 more would bring no new host: the batch is taken, and widening stops until a top-up.
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(12, hosts.Queued);
        // At its widest (12), it takes no more, though b.test is next in the frontier.
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(12, hosts.Queued);
    }

    [Fact]
    public async Task Widens_again_only_for_links_to_a_host_with_nothing_waiting()
    {
        var queue = Requests(Enumerable.Range(1, 40).Select(i => $"http://a.test/{i}"));
        var (window, hosts) = Window(size: 8, widest: 64, queue);
        await window.RefillAsync(capReached: false, CancellationToken.None);
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(12, hosts.Queued);

        // More links for a.test, which has requests waiting here: no widening.
        window.Added(Requests(["http://a.test/41"]).ToList());
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(12, hosts.Queued);

        // A link for b.test, which has none: the window tries again (and, oldest first, finds a.test again).
        queue.Enqueue(Requests(["http://b.test/1"]).Single());
        window.Added(Requests(["http://b.test/1"]).ToList());
        Assert.False(await window.WidenAsync(capReached: false, CancellationToken.None));
        Assert.Equal(16, hosts.Queued);
    }

    /// <summary>
    /// A window over a frontier that hands out <paramref name="urls"/> oldest first, as the SQLite and Redis frontiers do
    /// (the memory frontier lets hosts take turns), every host's robots.txt answered at T0, --delay 10s.
    /// </summary>
    private static (FrontierWindow Window, HostScheduler Hosts) Window(int size, int widest, IEnumerable<string> urls) =>
        Window(size, widest, Requests(urls));

    /// <summary>A window over <paramref name="queue"/>, which a test may add to, as <see cref="Window(int, int, IEnumerable{string})"/>.</summary>
    private static (FrontierWindow Window, HostScheduler Hosts) Window(int size, int widest, Queue<CrawlRequest> queue)
    {
        var frontier = new OldestFirst(queue);
        var hosts = new HostScheduler(new CrawlOptions { Robots = false, Delay = TimeSpan.FromSeconds(10) });
        return (new FrontierWindow(frontier, hosts, Channel.CreateUnbounded<Event>().Writer, size, widest), hosts);
    }

    private static Queue<CrawlRequest> Requests(IEnumerable<string> urls) =>
        new(urls.Select(url => new CrawlRequest(new Uri(url), 0, null, new Uri(url).Host)));

    /// <summary>A frontier that only hands out what it was given, oldest first.</summary>
    private sealed class OldestFirst(Queue<CrawlRequest> queue) : IFrontier
    {
        public ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
        {
            var batch = new List<CrawlRequest>();
            while (batch.Count < max && queue.TryDequeue(out var request))
            {
                batch.Add(request);
            }
            return ValueTask.FromResult<IReadOnlyList<CrawlRequest>>(batch);
        }

        public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
