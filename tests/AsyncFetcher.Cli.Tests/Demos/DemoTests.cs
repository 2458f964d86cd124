using AsyncFetcher.Cli.Demos;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Demos;

/// <summary>
/// Runs every demo in-process (scaled down to stay fast) and checks its claim from the numbers it
/// returns, counted by the server or the code, never from wall-clock speed or the demo's wording.
/// </summary>
public sealed class DemoTests
{
    /// <summary>The demos these tests cover; a demo added to the catalog without a test here fails <see cref="Every_demo_in_the_catalog_has_a_test"/>.</summary>
    private static readonly string[] Tested =
    [
        "async-await", "tasks", "when-all", "when-any", "when-each", "channels", "semaphore", "async-disposal", "async-streams", "cancellation",
        "resilience", "time", "race", "async-local", "deadlock", "starvation", "task-group", "exceptions", "rate-limit", "progress", "callbacks",
    ];

    [Fact]
    public void Every_demo_in_the_catalog_has_a_test()
    {
        Assert.Equal(Tested.Order(), DemoCatalog.All.Select(d => d.Name).Order());
        Assert.All(DemoCatalog.All, demo => Assert.False(string.IsNullOrWhiteSpace(demo.Takeaway), $"{demo.Name} has no takeaway"));
    }

    [Fact]
    public async Task Async_await_overlaps_requests_on_one_thread_where_blocking_needs_a_thread_each()
    {
        var outcome = await RunAsync<AsyncAwaitDemo.Outcome>(new AsyncAwaitDemo(requests: 6, delayMs: 20));

        Assert.Equal(1, outcome.BlockingOneThread.Peak);
        Assert.Equal(1, outcome.BlockingOneThread.Threads);
        Assert.Equal(1, outcome.BlockingOneThread.Blocked);
        Assert.Equal(6, outcome.BlockingThreadEach.Peak);
        Assert.Equal(6, outcome.BlockingThreadEach.Blocked);
        Assert.Equal(6, outcome.AwaitOneThread.Peak);
        Assert.Equal(1, outcome.AwaitOneThread.Threads);
        Assert.Equal(0, outcome.AwaitOneThread.Blocked);
    }

    [Fact]
    public async Task Tasks_start_when_created_and_a_forgotten_fault_reaches_nobody()
    {
        var outcome = await RunAsync<TasksDemo.Outcome>(new TasksDemo(delayMs: 10));

        Assert.NotEqual(TaskStatus.RanToCompletion, outcome.StatusAtStart);
        Assert.Equal(3, outcome.AtServerBeforeAwait);
        Assert.True(outcome.RanToFirstAwaitBeforeReturning);
        Assert.True(outcome.StartedOnCallerThread);
        Assert.True(outcome.ForgottenFaulted);
        Assert.False(outcome.CallerSawException);
        Assert.Equal(1, outcome.LoggedByContinuation);
        Assert.True(outcome.CaughtByAwait);
    }

    [Fact]
    public async Task When_all_has_every_request_at_the_server_at_once_and_keeps_every_failure()
    {
        var outcome = await RunAsync<WhenAllDemo.Outcome>(new WhenAllDemo(requests: 8, delayMs: 10));

        Assert.Equal(1, outcome.SequentialPeak);
        Assert.Equal(8, outcome.ConcurrentPeak);
        Assert.True(outcome.ResultsInOrder);
        Assert.Equal(nameof(HttpRequestException), outcome.Thrown);
        Assert.Equal(2, outcome.AggregatedFailures);
        Assert.Equal(3, outcome.Succeeded);
    }

    [Fact]
    public async Task When_any_returns_the_first_mirror_and_the_losers_are_cancelled_at_the_server()
    {
        var outcome = await RunAsync<WhenAnyDemo.Outcome>(new WhenAnyDemo());

        Assert.Equal("mirror-b", outcome.Winner);
        Assert.Equal(2, outcome.LosersCancelled);
        Assert.Equal(2, outcome.ServerAborted);
    }

    [Fact]
    public async Task When_each_yields_in_completion_order_and_when_all_in_start_order()
    {
        var outcome = await RunAsync<WhenEachDemo.Outcome>(new WhenEachDemo(stepMs: 5));

        Assert.Equal(["job1", "job2", "job3", "job4", "job5"], outcome.Completed);
        Assert.Equal(outcome.Started, outcome.Gathered);
    }

    [Fact]
    public async Task Channels_make_the_producer_wait_and_never_hold_more_than_capacity()
    {
        var outcome = await RunAsync<ChannelsDemo.Outcome>(new ChannelsDemo(items: 12, capacity: 3, consumers: 2, delayMs: 10));

        Assert.InRange(outcome.PeakBuffered, 1, outcome.Capacity);
        Assert.True(outcome.ProducerWaits >= 1, "the producer never waited for room");
        Assert.Equal(outcome.Produced, outcome.Consumed);
        Assert.InRange(outcome.ServerPeak, 1, outcome.Consumers);
    }

    [Fact]
    public async Task Semaphore_caps_what_the_server_sees_at_n_and_so_does_the_engine()
    {
        var outcome = await RunAsync<SemaphoreDemo.Outcome>(new SemaphoreDemo(limit: 3, requests: 9, delayMs: 10));

        Assert.Equal(9, outcome.UnlimitedPeak);
        Assert.InRange(outcome.SemaphorePeak, 1, 3);
        Assert.InRange(outcome.SlotsHeldPeak, 1, 3);
        Assert.InRange(outcome.EnginePeak, 1, 3);
        Assert.Equal(10, outcome.EngineRecords);
    }

    [Fact]
    public async Task Async_disposal_undisposed_responses_starve_the_pool_disposed_ones_share_a_connection()
    {
        var outcome = await RunAsync<AsyncDisposalDemo.Outcome>(new AsyncDisposalDemo(stallMs: 200));

        Assert.Equal(1, outcome.LeakyCompleted);
        Assert.True(outcome.LeakyStalled);
        Assert.Equal(3, outcome.DisposedCompleted);
        Assert.Equal(1, outcome.DisposedConnections);
    }

    [Fact]
    public async Task Async_streams_yield_records_during_the_crawl_and_break_stops_it()
    {
        var outcome = await RunAsync<AsyncStreamsDemo.Outcome>(new AsyncStreamsDemo(pages: 6, delayMs: 5));

        Assert.Equal(7, outcome.Records);
        Assert.Equal(8, outcome.TotalRequests);
        // The linked pages were held until the first record arrived: it was yielded mid-crawl.
        Assert.Equal(0, outcome.PagesAnsweredAtFirstRecord);
        Assert.Equal(1, outcome.TakenBeforeBreak);
        // robots.txt, the index, and the two pages --max 2 allowed in flight; those two were cancelled.
        Assert.Equal(4, outcome.RequestsAfterBreak);
        Assert.Equal(2, outcome.AbandonedByBreak);
        Assert.Equal(0, outcome.PagesAnsweredAfterBreak);
        Assert.Equal(0, outcome.InFlightAfterBreak);
    }

    [Fact]
    public async Task Cancellation_is_observed_timeouts_and_user_cancels_are_told_apart_and_the_engine_stops()
    {
        var outcome = await RunAsync<CancellationDemo.Outcome>(new CancellationDemo(timeoutMs: 100, graceMs: 100));

        Assert.Equal("timeout", outcome.ByTimeout);
        Assert.Equal("user cancelled", outcome.ByUser);
        Assert.True(outcome.WaitAsyncTimedOut);
        Assert.Equal(1, outcome.InFlightAfterWaitAsync);
        Assert.Equal(3, outcome.EngineRecords);
        Assert.Equal(3, outcome.EngineAbandoned);
    }

    [Fact]
    public async Task Resilience_retries_the_flaky_server_and_honours_retry_after()
    {
        var outcome = await RunAsync<ResilienceDemo.Outcome>(new ResilienceDemo(retryDelayMs: 10));

        Assert.Equal(200, outcome.FlakyStatus);
        Assert.Equal(3, outcome.FlakyAttempts);
        Assert.Equal(3, outcome.FlakyServerRequests);
        Assert.Equal(200, outcome.BusyStatus);
        Assert.Equal(2, outcome.BusyAttempts);
        // A lower bound the client enforces (Retry-After: 1 instead of the 10 ms backoff), not a speed.
        Assert.True(outcome.BusyGapMs >= 900, $"second attempt {outcome.BusyGapMs} ms after the 429");
    }

    [Fact]
    public async Task Time_moved_by_hand_ticks_the_timer_and_times_out_the_real_fetcher()
    {
        var outcome = await RunAsync<TimeDemo.Outcome>(new TimeDemo(realPeriodMs: 5));

        Assert.Equal(3, outcome.RealTicks);
        Assert.Equal(5, outcome.ManualTicks);
        Assert.Equal(TimeSpan.FromMinutes(5), outcome.Simulated);
        Assert.Equal("timeout", outcome.FetchError);
        Assert.Equal(ResilienceSetup.TotalBudget(new CrawlOptions { Retries = 0, Timeout = TimeSpan.FromSeconds(30) }), outcome.FetchElapsed);
    }

    [Fact]
    public async Task Race_the_locked_counters_are_exact_and_an_await_between_read_and_write_loses_updates()
    {
        var outcome = await RunAsync<RaceDemo.Outcome>(new RaceDemo(tasks: 3, increments: 100_000));

        Assert.Equal(300_000, outcome.Expected);
        // One thread, as in asyncio: the loops take turns.
        Assert.Equal(outcome.Expected, outcome.OnEventLoop);
        Assert.Equal(outcome.Expected, outcome.OnPoolLocked);
        Assert.Equal(outcome.Expected, outcome.OnPoolInterlocked);
        // How many the unlocked loops lose depends on how the machine schedules them; never more than they made.
        Assert.InRange(outcome.OnPoolUnlocked, 1, outcome.Expected);
        // All three read before any wrote back (the demo makes sure): two of three updates lost, every time.
        Assert.Equal(1, outcome.ReadAwaitWriteUnlocked);
        Assert.Equal(3, outcome.ReadAwaitWriteLocked);
    }

    [Fact]
    public async Task Async_local_keeps_a_value_per_flow_where_a_thread_static_is_overwritten_on_one_thread()
    {
        var outcome = await RunAsync<AsyncLocalDemo.Outcome>(new AsyncLocalDemo());

        Assert.Equal(1, outcome.ThreadStaticRightOnLoop);
        Assert.Equal(outcome.Requests, outcome.AsyncLocalRightOnLoop);
        Assert.Equal(outcome.Requests, outcome.AsyncLocalRightOnPool);
        Assert.Equal("/outer", outcome.AfterCallee);
    }

    [Fact]
    public async Task Deadlock_result_without_configure_await_hangs_on_the_loop_and_not_with_it()
    {
        var outcome = await RunAsync<DeadlockDemo.Outcome>(new DeadlockDemo(timeoutMs: 100, serverMs: 5));

        Assert.True(outcome.DeadlockedWithoutConfigureAwait);
        Assert.True(outcome.CompletedWithConfigureAwait);
        Assert.False(outcome.ConfigureAwaitRanOnLoop);
        Assert.True(outcome.AwaitResumedOnLoop);
    }

    [Fact]
    public async Task Task_group_cancels_the_siblings_of_a_failure_and_shield_keeps_the_work_going()
    {
        var outcome = await RunAsync<TaskGroupDemo.Outcome>(new TaskGroupDemo());

        Assert.Equal(1, outcome.GroupFailures);
        Assert.Equal(nameof(HttpRequestException), outcome.GroupFailure);
        Assert.Equal(4, outcome.GroupSiblingsAbandoned);
        Assert.Equal(2, outcome.FirstExceptionDone);
        Assert.Equal(3, outcome.FirstExceptionPending);
        Assert.Equal(3, outcome.FirstExceptionStillAtServer);
        Assert.Equal(nameof(TaskCanceledException), outcome.CallerSaw);
        Assert.Equal(TaskStatus.RanToCompletion, outcome.SaveStatus);
        Assert.Equal(0, outcome.SaveAbandoned);
    }

    [Fact]
    public async Task Exceptions_when_all_keeps_the_failures_not_the_cancellation_and_flatten_and_handle_split_them()
    {
        var outcome = await RunAsync<ExceptionsDemo.Outcome>(new ExceptionsDemo());

        Assert.Equal(nameof(HttpRequestException), outcome.AwaitThrew);
        Assert.Equal(TaskStatus.Faulted, outcome.WhenAllStatus);
        Assert.Equal(2, outcome.WhenAllHolds);
        Assert.Equal(1, outcome.Cancelled);
        Assert.Equal(nameof(AggregateException), outcome.WaitThrew);
        Assert.Equal(2, outcome.WaitHolds);
        Assert.Equal(nameof(TaskCanceledException), outcome.CancelledOnlyThrew);
        Assert.Equal(TaskStatus.Canceled, outcome.CancelledOnlyStatus);
        Assert.Equal(1, outcome.NestedOuterCount);
        Assert.Equal(2, outcome.Flattened);
        Assert.Equal(2, outcome.Handled);
        Assert.Equal(1, outcome.Rethrown);
    }

    [Fact]
    public async Task Rate_limit_a_semaphore_caps_at_once_and_a_token_bucket_caps_per_period()
    {
        var outcome = await RunAsync<RateLimitDemo.Outcome>(new RateLimitDemo(requests: 9, perPeriod: 3, periodMs: 20, serverMs: 5));

        Assert.InRange(outcome.SemaphorePeak, 1, 3);
        // The bucket does not count requests in flight: held by the server, all nine were there at once.
        Assert.Equal(9, outcome.BucketPeak);
        Assert.Equal(9, outcome.BucketGranted);
        Assert.Equal(9, outcome.BucketPeriods.Sum());
        // Three tokens to start with and three per refill: nine requests needed at least two refills, whatever the speed.
        Assert.True(outcome.BucketReplenishments >= 2, $"{outcome.BucketReplenishments} refills");
        Assert.InRange(outcome.BothPeak, 1, 3);
        Assert.Equal(9, outcome.BothGranted);
        Assert.True(outcome.BothReplenishments >= 2, $"{outcome.BothReplenishments} refills");
    }

    [Fact]
    public async Task Progress_on_a_context_is_handled_in_order_on_its_thread_and_the_reporter_logs_a_line_per_tick()
    {
        var outcome = await RunAsync<ProgressDemo.Outcome>(new ProgressDemo(reports: 12, pages: 6, pagesPerTick: 2));

        Assert.True(outcome.LoopInOrder);
        Assert.Equal(1, outcome.LoopThreads);
        Assert.InRange(outcome.PoolThreads, 1, outcome.Reports);
        Assert.Equal(3, outcome.ProgressLines);
    }

    [Fact]
    public async Task Callbacks_a_task_completion_source_makes_a_timer_and_an_event_awaitable()
    {
        var outcome = await RunAsync<CallbackDemo.Outcome>(new CallbackDemo(reports: 15));

        Assert.False(outcome.DelayDoneBeforeAdvance);
        Assert.True(outcome.DelayDoneAfterAdvance);
        Assert.Equal(TaskStatus.Canceled, outcome.CancelledStatus);
        Assert.Equal(0, outcome.CancelledTimerFired);
        Assert.Equal(10, outcome.FirstMatchingPage);
        Assert.Equal(10, outcome.EventHandlerCalls);
        Assert.True(outcome.InlineRanInsideSetResult);
        Assert.False(outcome.AsyncRanInsideSetResult);
    }

    [Fact]
    public async Task Demo_list_names_every_demo_and_a_demo_runs_from_the_binary()
    {
        var list = await CliRunner.RunAsync(["demo", "--list"]);
        var run = await CliRunner.RunAsync(["demo", "when-any"]);

        Assert.Equal(0, list.ExitCode);
        var names = list.StdoutLines.Select(line => line.Split(' ')[0]).ToList();
        Assert.Equal([.. Tested, "crawl", "all"], names);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("mirror-b", run.Stdout, StringComparison.Ordinal);
    }

    internal static async Task<T> RunAsync<T>(IDemo demo)
        where T : DemoResult
    {
        using var output = new StringWriter();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var result = await demo.RunAsync(output, limit.Token);
        Assert.False(string.IsNullOrWhiteSpace(output.ToString()), $"{demo.Name} printed nothing");
        return Assert.IsType<T>(result);
    }
}
