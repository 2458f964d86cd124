using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>A stop and the stores: no frontier or host gate can hold a stop up, and nothing the engine started outlives the crawl.</summary>
public sealed class StopTests
{
    [Fact]
    public async Task Every_frontier_call_can_be_cancelled()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/a", "/b");
        site.Redirect("/a", "/c");
        site.Links("/b");
        site.Links("/c");
        var frontier = new WatchedFrontier();
        await using var provider = EngineHarness.Build(EngineHarness.Fast(), configure: s => s.AddSingleton<IFrontier>(frontier));

        var results = await EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);

        Assert.Equal(3, results.Count);
        Assert.NotEmpty(frontier.Tokens);
        Assert.All(frontier.Tokens, token => Assert.True(token.CanBeCanceled));
    }

    [Fact]
    public async Task A_stop_is_not_held_up_by_a_frontier_that_stops_answering()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/a", "/b");
        // /a and /b are held at the server: in flight when the frontier goes silent.
        site.HoldAfter(1);
        var frontier = new WatchedFrontier();
        var time = new FakeTimeProvider();
        var options = EngineHarness.Fast(max: 4);
        options.Robots = false;
        options.Timeout = TimeSpan.FromHours(1);
        options.Grace = TimeSpan.FromSeconds(5);
        await using var provider = EngineHarness.Build(options, time, s => s.AddSingleton<IFrontier>(frontier));
        var engine = provider.GetRequiredService<CrawlEngine>();
        using var stop = new CancellationTokenSource();

        var results = new List<CrawlResult>();
        var crawl = Task.Run(async () =>
        {
            await foreach (var result in engine.RunAsync([site.Url("/")], stop.Token))
            {
                results.Add(result);
                if (results.Count == 1)
                {
                    await site.WaitForRequestsAsync(3, TimeSpan.FromSeconds(30));
                    // Saving this record's page is the next frontier call: it never comes back.
                    frontier.GoSilent();
                    await stop.CancelAsync();
                }
            }
        });
        await frontier.Waiting.WaitAsync(TimeSpan.FromSeconds(30));
        // The grace period, then as long again for what the stop hands back: then the frontier is given up on.
        time.Advance(options.Grace * 2);
        // A safety net, not a speed check: a stop held up by the frontier would hang here.
        await crawl.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(engine.Stats.Stopped);
        Assert.Equal(site.Url("/").AbsoluteUri, Assert.Single(results).Url);
        Assert.Equal(0, frontier.Completed);
        Assert.Equal(["/", "/a", "/b"], site.Log.Order());
    }

    [Fact]
    public async Task The_host_gates_waits_are_awaited_so_a_failed_one_is_not_lost()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/");
        var gate = new ClosedHostGate();
        await using var provider = EngineHarness.Build(EngineHarness.Fast(), configure: s => s.AddSingleton<IHostGate>(gate));
        using var stop = new CancellationTokenSource();

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], stop.Token);
        await gate.TurnedAway.WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        // The gate's "ask again" wait ends with the crawl; its failure comes out of the crawl instead of vanishing.
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => crawl.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("the gate's wait failed", failure.Message);
        Assert.Empty(site.Log);
    }

    /// <summary>A host gate that turns every request away; its "ask again" wait fails when the crawl ends it.</summary>
    private sealed class ClosedHostGate : IHostGate
    {
        private readonly TaskCompletionSource turnedAway = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task TurnedAway => turnedAway.Task;

        public ValueTask<HostPass> EnterAsync(string hostKey, TimeSpan interval, CancellationToken cancellationToken)
        {
            turnedAway.TrySetResult();
            return ValueTask.FromResult(new HostPass(FailWhenCancelledAsync(cancellationToken)));
        }

        public ValueTask ExitAsync(string hostKey, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        private static async Task FailWhenCancelledAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
            throw new InvalidOperationException("the gate's wait failed");
        }
    }
}
