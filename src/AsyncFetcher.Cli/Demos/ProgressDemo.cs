using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo progress</c>: two ways to feed a progress display. Pushed: the worker calls
/// <see cref="IProgress{T}.Report"/> per page and <see cref="Progress{T}"/> posts a handler call to the context it
/// was made on (in order, on the loop thread; or, without a context, to the pool, in any order). Pulled: the
/// worker only bumps counters, and the display reads them on its own timer, as asyncfetch's
/// <see cref="ProgressReporter"/> reads <see cref="CrawlStats"/>.
/// </summary>
internal sealed class ProgressDemo(int reports = 20, int pages = 9, int pagesPerTick = 3) : IDemo
{
    public string Name => "progress";

    public string Summary => "IProgress<T> pushes each report to a context; asyncfetch's progress line pulls counters on a timer";

    public string Takeaway => "Progress<T> posts every report to the context it was made on; asyncfetch's progress line reads counters on its own timer instead.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"a worker on the thread pool reports {reports} pages through IProgress<int>:");

        // 1. Made on the event loop (a UI thread): every report is posted to the loop and handled there, in order.
        var onLoop = await EventLoop.RunAsync(() => PushAsync(cancellationToken));
        output.WriteLine($"  Progress<T> made on the event loop:  {onLoop.HandledWhenDone,2} of {reports} handled when the work returned; all {reports} in order: {onLoop.InOrder}, on the loop's one thread: {onLoop.Threads == 1}");

        // 2. Made without a context: each report becomes a work item on the pool, run whenever and wherever.
        var onPool = await Task.Run(() => PushAsync(cancellationToken), cancellationToken);
        output.WriteLine($"  Progress<T> made on the thread pool: {onPool.HandledWhenDone,2} of {reports} handled when the work returned; all {reports} on {onPool.Threads} thread(s), in order: {onPool.InOrder}");

        // 3. Pulled: the real ProgressReporter reads CrawlStats each time its timer ticks (a clock moved by hand here).
        var lines = await PullAsync(output, cancellationToken);
        return new Outcome(reports, onLoop.InOrder, onLoop.Threads, onPool.Threads, lines);
    }

    /// <summary>
    /// A worker on the pool reports each page through a <see cref="Progress{T}"/> made here (on the caller's context,
    /// if any); waits until every report was handled and says how many were when the work returned, in which order, on how many threads.
    /// </summary>
    private async Task<Pushed> PushAsync(CancellationToken cancellationToken)
    {
        var handled = new List<(int Page, int Thread)>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new Progress<int>(page =>
        {
            // A handler that does a little work, as a redraw would.
            Thread.SpinWait(20_000);
            lock (handled)
            {
                handled.Add((page, Environment.CurrentManagedThreadId));
                if (handled.Count == reports)
                {
                    all.SetResult();
                }
            }
        });
        await Task.Run(() =>
        {
            for (var page = 1; page <= reports; page++)
            {
                ((IProgress<int>)progress).Report(page);
            }
        }, cancellationToken);
        int whenDone;
        lock (handled)
        {
            whenDone = handled.Count;
        }
        await all.Task.WaitAsync(cancellationToken);
        return new Pushed(whenDone, handled.Select(h => h.Page).SequenceEqual(Enumerable.Range(1, reports)), handled.Select(h => h.Thread).Distinct().Count());
    }

    /// <summary>Crawls a small site while asyncfetch's own progress reporter logs a line per tick of a manual clock.</summary>
    private async Task<int> PullAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        var links = Enumerable.Range(0, pages - 1).Select(i => $"/p{i}").ToArray();
        site.Page("/", links);
        foreach (var link in links)
        {
            site.Page(link);
        }
        var options = new CrawlOptions { Max = 2, Depth = 1, Retries = 0, Timeout = TimeSpan.FromSeconds(10) };
        await using var services = DemoServices.Build(options);
        var engine = services.GetRequiredService<CrawlEngine>();
        var clock = new ManualClock();
        using var log = new FlushSignallingWriter();
        output.WriteLine($"asyncfetch's progress line is pulled: ProgressReporter reads CrawlStats when its timer ticks, whatever the pages do");
        output.WriteLine($"(here a crawl of {pages} pages, and the clock moved by 1 s after every {pagesPerTick} records):");
        var lines = 0;
        var reporter = ProgressReporter.Start(() => engine.Stats, log, terminal: false, TimeSpan.FromSeconds(1), () => 120, clock)!;
        await using (reporter)
        {
            var records = 0;
            await foreach (var _ in engine.RunAsync([site.Url("/")], cancellationToken))
            {
                if (++records % pagesPerTick == 0)
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                    await log.WaitForFlushAsync(cancellationToken);
                    lines++;
                }
            }
        }
        foreach (var line in log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            output.WriteLine("  " + line);
        }
        return lines;
    }

    private sealed record Pushed(int HandledWhenDone, bool InOrder, int Threads);

    /// <summary>A StringWriter that signals each flush (the reporter flushes once per line), so the demo waits for the line.</summary>
    private sealed class FlushSignallingWriter : StringWriter
    {
        private readonly SemaphoreSlim flushed = new(0);

        public override Task FlushAsync()
        {
            flushed.Release();
            return Task.CompletedTask;
        }

        public Task WaitForFlushAsync(CancellationToken cancellationToken) => flushed.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                flushed.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    internal sealed record Outcome(int Reports, bool LoopInOrder, int LoopThreads, int PoolThreads, int ProgressLines) : DemoResult;
}
