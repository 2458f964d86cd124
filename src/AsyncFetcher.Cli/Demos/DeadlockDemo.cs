using System.Diagnostics;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo deadlock</c>: sync-over-async on a single-threaded context (the demos' <see cref="EventLoop"/>; a UI
/// thread or classic ASP.NET is the same). A library method awaits a response; its caller blocks on it with
/// <c>.Result</c>. Without <c>ConfigureAwait(false)</c> the rest of the method is queued for the very thread that
/// is blocked waiting for it: a deadlock, cut here by a timeout. With it, the rest runs on the pool and
/// <c>.Result</c> returns. Awaiting instead of blocking needs neither.
/// </summary>
internal sealed class DeadlockDemo(int timeoutMs = 500, int serverMs = 50) : IDemo
{
    /// <summary>How long a wait that should succeed may take before the demo gives up on it (a guard, never reached).</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    public string Name => "deadlock";

    public string Summary => ".Result on a single-threaded context: a deadlock without ConfigureAwait(false), none with it";

    public string Takeaway => "blocking on async code on a one-thread context deadlocks unless every await in it says ConfigureAwait(false); awaiting never does.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var url = site.Work("page", TimeSpan.FromMilliseconds(serverMs));
        output.WriteLine($"a library method awaits a response (the server answers after {serverMs} ms); its caller blocks on it with .Result,");
        output.WriteLine("on a single-threaded context (the demo's event loop; a UI thread is the same):");

        // 1. The library forgot ConfigureAwait(false): its continuation needs the loop thread, which is blocked in .Result.
        var stuck = await EventLoop.RunAsync(() => Task.FromResult(BlockOn(client, url, continueOnCapturedContext: true, TimeSpan.FromMilliseconds(timeoutMs), cancellationToken)));
        var pending = stuck.Pending > 0 ? $"; {stuck.Pending} callback waited in the loop's queue" : "";
        output.WriteLine($"  without ConfigureAwait(false): .Result had not returned after {timeoutMs} ms: deadlocked, so the demo gave up{pending}");
        // Once the loop thread was free again, the queued rest of the method ran and the task completed.
        await stuck.Task.WaitAsync(Guard, cancellationToken);

        // 2. The library says ConfigureAwait(false): the rest runs on a pool thread and completes the task.
        var free = await EventLoop.RunAsync(() => Task.FromResult(BlockOn(client, url, continueOnCapturedContext: false, Guard, cancellationToken)));
        output.WriteLine($"  with ConfigureAwait(false):    .Result returned after {free.Ms} ms; the rest of the method ran on the loop thread: {free.RanOn == free.Caller}");
        output.WriteLine("                                 (the loop thread was blocked all that time: a frozen UI, but no deadlock)");

        // 3. Async all the way: the caller awaits, the loop thread stays free, the continuation comes back to it.
        var awaited = await EventLoop.RunAsync(async () =>
        {
            var caller = Environment.CurrentManagedThreadId;
            var clock = Stopwatch.StartNew();
            var ranOn = await LibraryGetAsync(client, url, continueOnCapturedContext: true, cancellationToken);
            return (Ms: clock.ElapsedMilliseconds, Caller: caller, RanOn: ranOn, ResumedOn: Environment.CurrentManagedThreadId);
        });
        output.WriteLine($"  await instead of .Result:      returned after {awaited.Ms} ms, back on the loop thread: {awaited.ResumedOn == awaited.Caller}, no thread blocked");
        return new Outcome(!stuck.Completed, free.Completed, free.RanOn == free.Caller, awaited.RanOn == awaited.Caller && awaited.ResumedOn == awaited.Caller);
    }

    /// <summary>Sync-over-async, as old code does it: call the async method, then block the calling thread until it is done.</summary>
    private static Blocked BlockOn(HttpClient client, Uri url, bool continueOnCapturedContext, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var caller = Environment.CurrentManagedThreadId;
        var clock = Stopwatch.StartNew();
        var task = LibraryGetAsync(client, url, continueOnCapturedContext, cancellationToken);
        // `.Result`, with a timeout so the demo ends: Wait blocks exactly as .Result does.
        var completed = task.Wait(timeout, cancellationToken);
        var pending = (SynchronizationContext.Current as EventLoop)?.Pending ?? 0;
        return new Blocked(task, completed, clock.ElapsedMilliseconds, caller, completed ? task.Result : -1, pending);
    }

    /// <summary>A library method: fetches a page and returns the id of the thread its code after the await ran on.</summary>
    private static async Task<int> LibraryGetAsync(HttpClient client, Uri url, bool continueOnCapturedContext, CancellationToken cancellationToken)
    {
        await client.GetStringAsync(url, cancellationToken).ConfigureAwait(continueOnCapturedContext);
        return Environment.CurrentManagedThreadId;
    }

    private sealed record Blocked(Task<int> Task, bool Completed, long Ms, int Caller, int RanOn, int Pending);

    internal sealed record Outcome(bool DeadlockedWithoutConfigureAwait, bool CompletedWithConfigureAwait, bool ConfigureAwaitRanOnLoop, bool AwaitResumedOnLoop) : DemoResult;
}
