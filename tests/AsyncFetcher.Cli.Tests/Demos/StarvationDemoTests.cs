using AsyncFetcher.Cli.Demos;

namespace AsyncFetcher.Cli.Tests.Demos;

/// <summary>
/// <c>demo starvation</c> blocks pool threads on purpose, and the pool is the whole test process's: it runs
/// alone, after the tests that run in parallel, so it neither slows them nor is slowed by them.
/// </summary>
[Collection(nameof(ThreadPoolCollection))]
public sealed class StarvationDemoTests
{
    [Fact]
    public async Task Starvation_every_blocked_item_holds_a_pool_thread_and_awaiting_ones_hold_none()
    {
        var outcome = await DemoTests.RunAsync<StarvationDemo.Outcome>(new StarvationDemo(waitExtra: 3, plainExtra: 1));

        Assert.Equal(outcome.PlainItems, outcome.PlainStarted);
        Assert.Equal(outcome.WaitItems, outcome.WaitStarted);
        // Every blocked item had started and none had let go: the pool had at least that many threads.
        Assert.True(outcome.PlainThreads >= outcome.PlainItems, $"{outcome.PlainThreads} threads for {outcome.PlainItems} blocked items");
        Assert.True(outcome.WaitThreads >= outcome.WaitItems, $"{outcome.WaitThreads} threads for {outcome.WaitItems} blocked items");
        Assert.Equal(outcome.AwaitItems, outcome.AwaitStarted);
        Assert.Equal(0, outcome.AwaitBlocking);
    }
}

/// <summary>Tests that must have the process's thread pool to themselves.</summary>
[CollectionDefinition(nameof(ThreadPoolCollection), DisableParallelization = true)]
public sealed class ThreadPoolCollection;
