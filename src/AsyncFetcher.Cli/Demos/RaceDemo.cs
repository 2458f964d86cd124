namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo race</c>: in asyncio the code between two awaits runs alone, so <c>count += 1</c> needs no lock.
/// In .NET the same code, once it resumes on the thread pool, runs on several threads at once and loses
/// updates; <c>lock</c> or <see cref="Interlocked"/> make it exact. On a one-thread loop it is exact, as in
/// asyncio. And across an await (read, await, write back) updates are lost in both worlds.
/// </summary>
/// <param name="tasks">Tasks sharing the counter (0: one per core, at least two).</param>
/// <param name="increments">Increments each task makes.</param>
internal sealed class RaceDemo(int tasks = 0, int increments = 5_000_000) : IDemo
{
    public string Name => "race";

    public string Summary => "Code between two awaits is not atomic on the thread pool: a counter without and with a lock";

    public string Takeaway => "code between two awaits can run on several threads at once: shared state needs a lock or Interlocked.";

    private readonly int tasks = tasks > 0 ? tasks : Math.Max(2, Environment.ProcessorCount);

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        var expected = tasks * increments;
        output.WriteLine($"{tasks} tasks each run `await Task.Yield(); then {increments:N0} x count++` (no await inside the loop):");

        // 1. One thread, like asyncio: the loops take turns, nothing is lost.
        var onLoop = await EventLoop.RunAsync(() => CountAsync(Unlocked, cancellationToken));
        output.WriteLine($"  on one thread (the demo's event loop, like asyncio):  {onLoop,11:N0} of {expected:N0}");

        // 2. The thread pool: after the first await each loop runs on a pool thread, several at once.
        var racy = await Task.Run(() => CountAsync(Unlocked, cancellationToken), cancellationToken);
        output.WriteLine($"  on the thread pool, count++:                          {racy,11:N0} of {expected:N0} ({expected - racy:N0} updates lost)");
        if (racy == expected)
        {
            // Losing updates needs two loops running at the same instant; a busy machine may run them in turn.
            output.WriteLine("    (none lost this time: the loops happened to run one after the other; run it again on an idle machine)");
        }

        var gate = new Lock();
        var locked = await Task.Run(() => CountAsync(counter =>
        {
            lock (gate)
            {
                counter.Value++;
            }
        }, cancellationToken), cancellationToken);
        output.WriteLine($"  on the thread pool, lock (gate) {{ count++; }}:          {locked,11:N0} of {expected:N0}");

        var interlocked = await Task.Run(() => CountAsync(counter => Interlocked.Increment(ref counter.Value), cancellationToken), cancellationToken);
        output.WriteLine($"  on the thread pool, Interlocked.Increment(ref count): {interlocked,11:N0} of {expected:N0}");

        // 3. An await between the read and the write: another task may run there, in asyncio as well.
        output.WriteLine($"{tasks} tasks each read the count, await something, and write back what they read + 1:");
        var readAwaitWrite = await ReadAwaitWriteAsync(null, cancellationToken);
        output.WriteLine($"  no lock (all {tasks} read before any wrote back):        {readAwaitWrite,11:N0} of {tasks} (asyncio loses these too)");
        using var mutex = new SemaphoreSlim(1, 1);
        var serialised = await ReadAwaitWriteAsync(mutex, cancellationToken);
        output.WriteLine($"  SemaphoreSlim(1, 1) around read-await-write:          {serialised,11:N0} of {tasks}");
        return new Outcome(expected, onLoop, racy, locked, interlocked, tasks, readAwaitWrite, serialised);
    }

    private static void Unlocked(Counter counter) => counter.Value++;

    /// <summary>Starts <c>tasks</c> loops that each increment one shared counter; returns its final value.</summary>
    private async Task<int> CountAsync(Action<Counter> increment, CancellationToken cancellationToken)
    {
        var counter = new Counter();
        var running = 0;
        var loops = Enumerable.Range(0, tasks).Select(async _ =>
        {
            // The rest of the method runs later: on the loop's thread, or on any free pool thread.
            await Task.Yield();
            // Start together, so they overlap when they can (briefly: on one thread the others cannot start).
            Interlocked.Increment(ref running);
            SpinWait.SpinUntil(() => Volatile.Read(ref running) == tasks, TimeSpan.FromMilliseconds(50));
            for (var i = 0; i < increments; i++)
            {
                increment(counter);
            }
            cancellationToken.ThrowIfCancellationRequested();
        }).ToList();
        await Task.WhenAll(loops);
        return counter.Value;
    }

    /// <summary>
    /// <c>value = count; await ...; count = value + 1</c> in <c>tasks</c> tasks. Without <paramref name="mutex"/>,
    /// each waits at its await until all have read, which makes the worst interleaving certain instead of likely.
    /// </summary>
    private async Task<int> ReadAwaitWriteAsync(SemaphoreSlim? mutex, CancellationToken cancellationToken)
    {
        var counter = new Counter();
        var read = 0;
        var allRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await Task.WhenAll(Enumerable.Range(0, tasks).Select(async _ =>
        {
            if (mutex is not null)
            {
                await mutex.WaitAsync(cancellationToken);
            }
            try
            {
                var value = counter.Value;
                if (mutex is null)
                {
                    if (Interlocked.Increment(ref read) == tasks)
                    {
                        allRead.SetResult();
                    }
                    await allRead.Task.WaitAsync(cancellationToken);
                }
                else
                {
                    await Task.Yield();
                }
                counter.Value = value + 1;
            }
            finally
            {
                mutex?.Release();
            }
        }));
        return counter.Value;
    }

    /// <summary>A shared count (a class, so the lambdas share one, and a field, so Interlocked can take a ref to it).</summary>
    private sealed class Counter
    {
        public int Value;
    }

    internal sealed record Outcome(
        int Expected,
        int OnEventLoop,
        int OnPoolUnlocked,
        int OnPoolLocked,
        int OnPoolInterlocked,
        int Tasks,
        int ReadAwaitWriteUnlocked,
        int ReadAwaitWriteLocked) : DemoResult;
}
