using System.Diagnostics;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo starvation</c>: work items that block their pool thread (sync-over-async, or a plain blocking wait)
/// need a thread each, and the pool adds threads slowly, so the last of them waits a long time for one. The
/// same number of items that await instead hold no thread while they wait, and all start at once.
/// </summary>
/// <param name="waitExtra">Items blocked with <c>.Wait()</c>, beyond the pool's minimum of threads (0: 7 per core).</param>
/// <param name="plainExtra">Items blocked with a plain wait, beyond the pool's minimum of threads.</param>
internal sealed class StarvationDemo(int waitExtra = 0, int plainExtra = 2) : IDemo
{
    /// <summary>The longest an item blocks if it is never released: a guard, so the demo always ends.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public string Name => "starvation";

    public string Summary => "Thread-pool starvation: blocked work items wait for threads the pool adds slowly; awaiting ones hold none";

    public string Takeaway => "every blocked pool thread is one the pool must replace, slowly: the crawler's own awaits would wait behind them.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        // The pool runs work on about as many threads as its minimum (one per core) and grows only when work waits.
        // Threads it just added stay ready for a while, so the slow case (a plain wait) goes first.
        ThreadPool.GetMinThreads(out var minThreads, out _);
        output.WriteLine($"{Environment.ProcessorCount} cores; the thread pool's minimum is {minThreads} threads; it adds more when work waits for one.");

        // 1. A plain blocking wait (Thread.Sleep, a synchronous socket read): the pool does not notice it, and only
        // its starvation check adds a thread, every half second or more rarely.
        var plainItems = minThreads + plainExtra;
        var waitItems = minThreads + (waitExtra > 0 ? waitExtra : 7 * Environment.ProcessorCount);
        var byPlainWait = await RunItemsAsync(plainItems, Mode.PlainWait, cancellationToken);
        output.WriteLine($"{plainItems} work items block their thread with a plain wait (ManualResetEventSlim.Wait, like Thread.Sleep):");
        output.WriteLine($"  the last one got a thread after {byPlainWait.Ms:N0} ms, once the pool had grown to {byPlainWait.Threads} threads ({byPlainWait.Blocked} blocked)");

        // 2. Sync-over-async: .Wait() (or .Result) on a task that completes later. The pool notices this kind of
        // blocking and adds threads quickly at first, then with growing delays.
        var byWait = await RunItemsAsync(waitItems, Mode.TaskWait, cancellationToken);
        output.WriteLine($"{waitItems} work items block their thread with .Wait() on a task that completes later (sync-over-async):");
        output.WriteLine($"  the last one got a thread after {byWait.Ms:N0} ms, once the pool had grown to {byWait.Threads} threads ({byWait.Blocked} blocked)");

        // 3. The same as awaits: no thread is held while they wait, so all start at once.
        var awaited = await RunItemsAsync(waitItems, Mode.Await, cancellationToken);
        output.WriteLine($"{waitItems} work items await the same task instead: all had started after {awaited.Ms:N0} ms, and none holds a thread while it waits");
        output.WriteLine($"  (the pool had {awaited.ThreadsBefore} threads before them and {awaited.Threads} once all had started)");
        return new Outcome(waitItems, byWait.Started, byWait.Threads, plainItems, byPlainWait.Started, byPlainWait.Threads, waitItems, awaited.Started, awaited.Blocked);
    }

    /// <summary>
    /// Queues <paramref name="count"/> items that each wait, as <paramref name="mode"/> says, until all of them have
    /// started; returns how long that took, the pool's threads and how many items were blocking a thread then.
    /// </summary>
    private static async Task<Run> RunItemsAsync(int count, Mode mode, CancellationToken cancellationToken)
    {
        var allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Not disposed: after a Ctrl+C, items still queued may start (and find it set) after this method returned.
        var release = new ManualResetEventSlim();
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        var blocking = 0;
        var threadsBefore = ThreadPool.ThreadCount;
        var clock = Stopwatch.StartNew();
        // PreferFairness: into the pool's global queue, in order, as work queued from outside the pool would be.
        var items = Enumerable.Range(0, count).Select(_ => Task.Factory.StartNew(async () =>
        {
            if (mode != Mode.Await)
            {
                Interlocked.Increment(ref blocking);
            }
            if (Interlocked.Increment(ref started) == count)
            {
                allStarted.TrySetResult();
            }
            switch (mode)
            {
                case Mode.TaskWait:
                    released.Task.Wait(Guard, cancellationToken);
                    break;
                case Mode.PlainWait:
                    release.Wait(Guard, cancellationToken);
                    break;
                default:
                    await released.Task.WaitAsync(Guard, cancellationToken);
                    break;
            }
        }, CancellationToken.None, TaskCreationOptions.PreferFairness, TaskScheduler.Default).Unwrap()).ToList();
        try
        {
            await allStarted.Task.WaitAsync(cancellationToken);
            return new Run(Volatile.Read(ref started), clock.ElapsedMilliseconds, threadsBefore, ThreadPool.ThreadCount, Volatile.Read(ref blocking));
        }
        finally
        {
            release.Set();
            released.TrySetResult();
            if (!cancellationToken.IsCancellationRequested)
            {
                // Every item lets go of its thread before the next part starts.
                await Task.WhenAll(items);
            }
        }
    }

    private enum Mode
    {
        TaskWait,
        PlainWait,
        Await,
    }

    /// <summary>One part: items started, how long until the last started, the pool's threads before and then, items blocking a thread then.</summary>
    private sealed record Run(int Started, long Ms, int ThreadsBefore, int Threads, int Blocked);

    internal sealed record Outcome(
        int WaitItems,
        int WaitStarted,
        int WaitThreads,
        int PlainItems,
        int PlainStarted,
        int PlainThreads,
        int AwaitItems,
        int AwaitStarted,
        int AwaitBlocking) : DemoResult;
}
