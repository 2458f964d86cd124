using System.Diagnostics;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo when-all</c>: awaiting requests one after another vs starting them all and awaiting
/// <see cref="Task.WhenAll(IEnumerable{Task})"/> (<c>asyncio.gather</c>), and what WhenAll does with failures.
/// </summary>
internal sealed class WhenAllDemo(int requests = 20, int delayMs = 100) : IDemo
{
    public string Name => "when-all";

    public string Summary => "Sequential awaits vs Task.WhenAll (asyncio.gather), and its exceptions";

    public string Takeaway => "start them all, then await them together: WhenAll is gather, and its Exception keeps every failure.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var delay = TimeSpan.FromMilliseconds(delayMs);
        output.WriteLine($"{requests} requests; the server answers each after {delayMs} ms.");

        var clock = Stopwatch.StartNew();
        foreach (var i in Enumerable.Range(0, requests))
        {
            await client.GetStringAsync(site.Work($"{i}", delay), cancellationToken);
        }
        var sequentialMs = clock.ElapsedMilliseconds;
        var sequentialPeak = site.Server.PeakInFlight;
        output.WriteLine($"await one by one:  {sequentialMs,5} ms, server peak in flight {sequentialPeak,2}");

        site.Server.ResetCounters();
        clock.Restart();
        var bodies = await Task.WhenAll(Enumerable.Range(0, requests).Select(i => client.GetStringAsync(site.Work($"{i}", delay, hold: requests), cancellationToken)));
        var concurrentMs = clock.ElapsedMilliseconds;
        var concurrentPeak = site.Server.PeakInFlight;
        var inOrder = bodies.SequenceEqual(Enumerable.Range(0, requests).Select(i => $"{i}"));
        output.WriteLine($"Task.WhenAll:      {concurrentMs,5} ms, server peak in flight {concurrentPeak,2}; results in the order started: {inOrder}");
        output.WriteLine();

        // gather without return_exceptions: await rethrows the first failure; the task holds them all.
        var urls = new[] { site.Work("ok1", delay), site.Url("/fail?n=1"), site.Work("ok2", delay), site.Url("/fail?n=2"), site.Work("ok3", delay) };
        var tasks = urls.Select(url => client.GetStringAsync(url, cancellationToken)).ToList();
        var all = Task.WhenAll(tasks);
        string? thrown = null;
        try
        {
            await all;
        }
        catch (HttpRequestException e)
        {
            thrown = e.GetType().Name;
        }
        var failures = all.Exception?.InnerExceptions.Count ?? 0;
        // return_exceptions=True: look at each task instead of the combined one.
        var succeeded = tasks.Count(t => t.IsCompletedSuccessfully);
        output.WriteLine($"5 requests, 2 of them answered 500: await Task.WhenAll threw one {thrown};");
        output.WriteLine($"  the WhenAll task's AggregateException holds {failures}; the tasks themselves: {succeeded} succeeded, {tasks.Count(t => t.IsFaulted)} faulted");
        return new Outcome(requests, sequentialPeak, concurrentPeak, sequentialMs, concurrentMs, inOrder, thrown, failures, succeeded);
    }

    internal sealed record Outcome(
        int Requests,
        int SequentialPeak,
        int ConcurrentPeak,
        long SequentialMs,
        long ConcurrentMs,
        bool ResultsInOrder,
        string? Thrown,
        int AggregatedFailures,
        int Succeeded) : DemoResult;
}
