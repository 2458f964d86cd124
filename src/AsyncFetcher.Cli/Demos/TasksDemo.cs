namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo tasks</c>: a task starts when it is created (like <c>asyncio.create_task</c>), an async
/// method runs synchronously up to its first <c>await</c>, and a fire-and-forget task's exception
/// reaches nobody unless something observes it.
/// </summary>
internal sealed class TasksDemo(int delayMs = 50) : IDemo
{
    public string Name => "tasks";

    public string Summary => "Starting tasks, their status, and what happens to a fire-and-forget exception";

    public string Takeaway => "a Task is already running when you get it; the exception of a task nobody awaits reaches nobody.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var delay = TimeSpan.FromMilliseconds(delayMs);

        // 1. Calling an async method starts it: three requests are at the server before anything is awaited.
        var tasks = new[] { "a", "b", "c" }.Select(id => client.GetStringAsync(site.Work(id, delay, hold: 3), cancellationToken)).ToList();
        var statusAtStart = tasks[0].Status;
        await site.Server.WaitUntilAsync(s => s.Requests >= 3, TimeSpan.FromSeconds(5), cancellationToken);
        var atServerBeforeAwait = site.Server.Requests;
        output.WriteLine($"started 3 tasks; status right away: {statusAtStart}; the server has {atServerBeforeAwait} of them before we await any");
        var bodies = await Task.WhenAll(tasks);
        output.WriteLine($"awaited them: [{string.Join(", ", bodies)}], status now: {tasks[0].Status}");
        output.WriteLine();

        // 2. The body of an async method runs on the caller's thread until its first await that must wait.
        var steps = new List<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var caller = Environment.CurrentManagedThreadId;
        var startedOnCaller = false;
        var stepsTask = StepsAsync(steps, gate.Task, caller, onCaller => startedOnCaller = onCaller);
        var stepsBeforeReturn = steps.Count;
        steps.Add($"caller got the task back (status {stepsTask.Status})");
        gate.SetResult();
        await stepsTask;
        for (var i = 0; i < steps.Count; i++)
        {
            output.WriteLine($"  {i + 1}. {steps[i]}");
        }
        output.WriteLine();

        // 3. Fire and forget: nothing awaits the task, so its exception goes nowhere.
        Task forgotten;
        var callerSawException = false;
        try
        {
            forgotten = FailAfterRequestAsync(client, site, delay, cancellationToken);
        }
        catch (InvalidOperationException)
        {
            // Never runs: the exception is thrown after the await, into the task.
            callerSawException = true;
            throw;
        }
        output.WriteLine("fire-and-forget: the caller went on without an exception");
        // WhenAny waits for the task without observing (rethrowing) its exception.
        await Task.WhenAny(forgotten);
        output.WriteLine($"  ...yet the task is {forgotten.Status}: {forgotten.Exception?.InnerException?.Message}");

        var logged = new List<string>();
        var observed = FailAfterRequestAsync(client, site, delay, cancellationToken);
        await Forget(observed, logged);
        output.WriteLine($"  a continuation that logs faults observed it: \"{logged.FirstOrDefault()}\"");

        string? caught = null;
        try
        {
            await FailAfterRequestAsync(client, site, delay, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            caught = e.Message;
        }
        output.WriteLine($"  and awaiting it rethrows it where it can be handled: \"{caught}\"");
        return new Outcome(statusAtStart, atServerBeforeAwait, steps, stepsBeforeReturn == 1, startedOnCaller, forgotten.IsFaulted, callerSawException, logged.Count, caught is not null);
    }

    private static async Task StepsAsync(List<string> steps, Task gate, int caller, Action<bool> startedOnCaller)
    {
        startedOnCaller(Environment.CurrentManagedThreadId == caller);
        steps.Add($"async method started, on the caller's thread: {Environment.CurrentManagedThreadId == caller}");
        await gate;
        steps.Add("async method resumed after its await");
    }

    private static async Task FailAfterRequestAsync(HttpClient client, DemoSite site, TimeSpan delay, CancellationToken cancellationToken)
    {
        await client.GetStringAsync(site.Work("x", delay), cancellationToken);
        throw new InvalidOperationException("parse failed after the response came");
    }

    /// <summary>Fire-and-forget done right: the fault is logged by a continuation instead of vanishing.</summary>
    private static Task Forget(Task task, List<string> log) =>
        task.ContinueWith(t => log.Add(t.Exception!.InnerException!.Message), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    internal sealed record Outcome(
        TaskStatus StatusAtStart,
        int AtServerBeforeAwait,
        IReadOnlyList<string> Steps,
        bool RanToFirstAwaitBeforeReturning,
        bool StartedOnCallerThread,
        bool ForgottenFaulted,
        bool CallerSawException,
        int LoggedByContinuation,
        bool CaughtByAwait) : DemoResult;
}
