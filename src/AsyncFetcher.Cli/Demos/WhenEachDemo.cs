using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;

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

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        // The server answers in step order (each answer also waits for the one before it), so the
        // completion order below is the server's, not a race between close timers.
        var answered = Steps.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        site.Map("/ordered", async context =>
        {
            var step = int.Parse(context.Request.Query["step"]!, CultureInfo.InvariantCulture);
            await Task.Delay(step * stepMs, context.RequestAborted);
            if (step > 1)
            {
                await answered[step - 2].Task.WaitAsync(context.RequestAborted);
            }
            await context.Response.WriteAsync($"job{step}", context.RequestAborted);
            await context.Response.CompleteAsync();
            answered[step - 1].TrySetResult();
        });
        using var client = new HttpClient();
        var started = Steps.Select(s => $"job{s}").ToList();
        output.WriteLine($"started in this order: {string.Join(" ", started)} (jobN answers after N x {stepMs} ms)");

        var clock = Stopwatch.StartNew();
        var tasks = Steps.Select(s => client.GetStringAsync(site.Url($"/ordered?step={s}"), cancellationToken)).ToList();
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
