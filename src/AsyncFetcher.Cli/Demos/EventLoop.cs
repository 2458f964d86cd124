using System.Collections.Concurrent;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// asyncio's event loop, in a few lines: one thread that runs queued callbacks. Installed as the
/// <see cref="SynchronizationContext"/>, it makes every <c>await</c> in the code it runs resume on
/// that one thread, so a demo can show many requests in flight while its own code uses one thread.
/// .NET apps do not need this (continuations run on the thread pool); it exists to make the point visible.
/// </summary>
internal sealed class EventLoop : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> queue = [];

    /// <summary>Callbacks posted and not yet run: work waiting for the loop's one thread.</summary>
    public int Pending => queue.Count;

    /// <summary>Runs <paramref name="main"/> on a new loop thread until its task completes.</summary>
    public static Task<T> RunAsync<T>(Func<Task<T>> main)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var loop = new EventLoop();
            SetSynchronizationContext(loop);
            var task = main();
            task.ContinueWith(_ => loop.queue.CompleteAdding(), TaskScheduler.Default);
            // The loop thread exists only to run callbacks, so blocking it while the queue is empty is its job.
            foreach (var (callback, state) in loop.queue.GetConsumingEnumerable())
            {
                callback(state);
            }
            done.TrySetFromTask(task);
        })
        { IsBackground = true, Name = "event loop" };
        thread.Start();
        return done.Task;
    }

    public override void Post(SendOrPostCallback d, object? state)
    {
        try
        {
            queue.Add((d, state));
        }
        catch (InvalidOperationException)
        {
            // The loop has ended; a late callback still has to run somewhere.
            ThreadPool.QueueUserWorkItem(s => d(s), state);
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("the event loop only runs posted callbacks");

    public override SynchronizationContext CreateCopy() => this;

    public void Dispose() => queue.Dispose();
}
