namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo callbacks</c>: <see cref="TaskCompletionSource{T}"/> is asyncio's <c>loop.create_future()</c>: a task
/// that some other code completes. It turns a timer callback into an awaitable delay (how <c>Task.Delay</c> is
/// built), an event into "the next event", and shows why <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>
/// matters: without it, the awaiting code runs inside <c>SetResult</c>, on the thread that called it.
/// </summary>
internal sealed class CallbackDemo(int reports = 20) : IDemo
{
    public string Name => "callbacks";

    public string Summary => "TaskCompletionSource: a timer callback and an event as awaitables, and RunContinuationsAsynchronously";

    public string Takeaway => "a TaskCompletionSource is asyncio's Future: a callback or event completes it, and RunContinuationsAsynchronously keeps the awaiter off the caller's thread.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        // 1. A timer callback as a task, on a clock moved by hand.
        output.WriteLine("a timer callback as a task (Task.Delay is built this way: the callback completes a TaskCompletionSource):");
        var clock = new ManualClock();
        var delay = DelayAsync(clock, TimeSpan.FromSeconds(5), cancellationToken);
        var doneBefore = delay.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(5));
        await delay.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        output.WriteLine($"  DelayAsync(5 s) on a manual clock: done before the clock moved: {doneBefore}; after moving it 5 s: {delay.IsCompletedSuccessfully}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fired = 0;
        var cancelled = DelayAsync(clock, TimeSpan.FromSeconds(5), stop.Token, () => fired++);
        await stop.CancelAsync();
        clock.Advance(TimeSpan.FromSeconds(10));
        await Task.WhenAny(cancelled);
        output.WriteLine($"  cancelled before it fired: {cancelled.Status}; the timer was disposed, and the clock moving on ran its callback {fired} times");

        // 2. An event as a task: the first ProgressChanged that reports page 10 or more. The Progress is made on the
        // event loop, so its events are raised there, in order.
        var (page, handlerCalls) = await EventLoop.RunAsync(async () =>
        {
            var progress = new Progress<int>();
            var tenth = NextEventAsync(progress, page => page >= 10, out var calls, cancellationToken);
            await Task.Run(() =>
            {
                for (var page = 1; page <= reports; page++)
                {
                    ((IProgress<int>)progress).Report(page);
                }
            }, cancellationToken);
            return (await tenth.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken), calls());
        });
        output.WriteLine($"an event as a task: awaited the first ProgressChanged with page >= 10 out of {reports}: got page {page}; the handler then unsubscribed itself (it ran {handlerCalls} times)");

        // 3. Who runs the awaiting code when SetResult is called?
        var inline = await WhoRunsTheContinuationAsync(TaskCreationOptions.None);
        var queued = await WhoRunsTheContinuationAsync(TaskCreationOptions.RunContinuationsAsynchronously);
        output.WriteLine("SetResult, and the code awaiting the task:");
        output.WriteLine($"  new TaskCompletionSource():                         ran inside SetResult, on the caller's thread: {inline}");
        output.WriteLine($"  ...(TaskCreationOptions.RunContinuationsAsynchronously): ran inside SetResult: {queued} (it was queued to the pool)");
        return new Outcome(doneBefore, delay.IsCompletedSuccessfully, cancelled.Status, fired, page, handlerCalls, inline, queued);
    }

    /// <summary>
    /// <c>Task.Delay(delay, time, token)</c> by hand: a timer whose callback completes a TaskCompletionSource, and a
    /// token registration that cancels it; each one disposes what the other set up.
    /// </summary>
    private static Task DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken cancellationToken, Action? onFire = null)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = time.CreateTimer(_ =>
        {
            onFire?.Invoke();
            done.TrySetResult();
        }, null, delay, Timeout.InfiniteTimeSpan);
        var registration = cancellationToken.Register(() =>
        {
            // The timer goes first, so it can never fire once the task says Canceled.
            timer.Dispose();
            done.TrySetCanceled(cancellationToken);
        });
        _ = done.Task.ContinueWith(_ =>
        {
            timer.Dispose();
            registration.Dispose();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return done.Task;
    }

    /// <summary>The next event that <paramref name="match"/> accepts, as a task; the handler removes itself once it has one.</summary>
    private static Task<int> NextEventAsync(Progress<int> progress, Func<int, bool> match, out Func<int> handlerCalls, CancellationToken cancellationToken)
    {
        var next = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        void Handler(object? sender, int page)
        {
            Interlocked.Increment(ref calls);
            if (match(page) && next.TrySetResult(page))
            {
                progress.ProgressChanged -= Handler;
            }
        }
        progress.ProgressChanged += Handler;
        var registration = cancellationToken.Register(() =>
        {
            progress.ProgressChanged -= Handler;
            next.TrySetCanceled(cancellationToken);
        });
        _ = next.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        handlerCalls = () => Volatile.Read(ref calls);
        return next.Task;
    }

    /// <summary>Completes a TaskCompletionSource that an async method awaits; true when that method's rest ran inside SetResult.</summary>
    private static async Task<bool> WhoRunsTheContinuationAsync(TaskCreationOptions options)
    {
        var source = new TaskCompletionSource(options);
        var insideSetResult = false;
        var ranInside = false;
        async Task AwaitItAsync()
        {
            // No context to go back to (as in library code), so nothing but the option decides where this runs.
            await source.Task.ConfigureAwait(false);
            ranInside = Volatile.Read(ref insideSetResult);
        }
        // The method runs up to its await and returns: its continuation is registered before SetResult.
        var awaiting = AwaitItAsync();
        // On a pool thread with no context, as a network callback would be.
        await Task.Run(() =>
        {
            Volatile.Write(ref insideSetResult, true);
            source.SetResult();
            Volatile.Write(ref insideSetResult, false);
        });
        await awaiting;
        return ranInside;
    }

    internal sealed record Outcome(
        bool DelayDoneBeforeAdvance,
        bool DelayDoneAfterAdvance,
        TaskStatus CancelledStatus,
        int CancelledTimerFired,
        int FirstMatchingPage,
        int EventHandlerCalls,
        bool InlineRanInsideSetResult,
        bool AsyncRanInsideSetResult) : DemoResult;
}
