using System.Diagnostics;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo when-each</c>: <c>Task.WhenEach</c> (.NET 9, <c>asyncio.as_completed</c>) hands back
/// tasks in the order they finish, while <see cref="Task.WhenAll(IEnumerable{Task})"/> keeps the order they were started in.
/// </summary>
internal sealed class WhenEachDemo(int stepMs = 60) : IDemo
{
    /// <summary>Each request's answer time, in steps: started in this order, finished in another.</summary>
    private static readonly int[] Steps = [5, 1, 3, 2, 4];

    public string Name => "when-each";

    public string Summary => "Results in completion order with Task.WhenEach (asyncio.as_completed)";

    public string Takeaway => "WhenEach is as_completed: tasks in the order they finish, where WhenAll keeps the order they started.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var started = Steps.Select(s => $"job{s}").ToList();
        output.WriteLine($"started in this order: {string.Join(" ", started)}");
        output.WriteLine($"(jobN answers after N x {stepMs} ms, and not before job N-1 has reached us, so the order is certain)");

        var clock = Stopwatch.StartNew();
        var tasks = Steps.Select(s => client.GetStringAsync(
            site.Work($"job{s}", TimeSpan.FromMilliseconds(s * stepMs), after: s > 1 ? $"job{s - 1}" : null), cancellationToken)).ToList();
        foreach (var (task, step) in tasks.Zip(Steps))
        {
            _ = task.ContinueWith(_ => site.Raise($"job{step}"), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        var completed = new List<string>();
        await foreach (var task in Task.WhenEach(tasks).WithCancellation(cancellationToken))
        {
            var body = await task;
            completed.Add(body);
            output.WriteLine($"  {clock.ElapsedMilliseconds,4} ms  {body}");
        }
        var gathered = await Task.WhenAll(tasks);
        output.WriteLine($"Task.WhenEach gave:  {string.Join(" ", completed)}  (completion order)");
        output.WriteLine($"Task.WhenAll gives:  {string.Join(" ", gathered)}  (start order)");
        return new Outcome(started, completed, gathered);
    }

    internal sealed record Outcome(IReadOnlyList<string> Started, IReadOnlyList<string> Completed, IReadOnlyList<string> Gathered) : DemoResult;
}
