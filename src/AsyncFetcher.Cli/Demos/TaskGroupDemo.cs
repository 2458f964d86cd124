using System.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo task-group</c>: asyncio's structured concurrency in C#. <c>asyncio.TaskGroup</c> is a linked
/// <see cref="CancellationTokenSource"/>, <see cref="Task.WhenAll(IEnumerable{Task})"/> and "the first failure
/// cancels the rest" (<see cref="WhenAllOrCancelAsync"/>); <c>asyncio.wait(FIRST_EXCEPTION)</c> is
/// <c>Task.WhenEach</c> left at the first fault; <c>asyncio.shield</c> is giving the work its own token and
/// stopping only the wait, with <c>WaitAsync</c>. The server counts what was abandoned.
/// </summary>
internal sealed class TaskGroupDemo : IDemo
{
    private const int Children = 5;

    public string Name => "task-group";

    public string Summary => "TaskGroup by hand (linked token, WhenAll, cancel on first fault), FIRST_EXCEPTION, shield vs WaitAsync";

    public string Takeaway => "a TaskGroup is a linked token + WhenAll + cancel on the first fault; shield is a token of the work's own plus WaitAsync.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        site.Map("/fail-late", async context =>
        {
            // Fails only once all the group's requests are at the server, so the siblings are surely in flight.
            await site.Server.WaitUntilAsync(s => s.Requests >= Children, TimeSpan.FromSeconds(5), context.RequestAborted);
            if (context.Request.Query["after"].ToString() is { Length: > 0 } after)
            {
                await site.WaitForAsync(after, context.RequestAborted);
            }
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        });
        using var client = new HttpClient();
        output.WriteLine($"{Children} requests as one group: one answers 500 once all {Children} reached the server; the others hang until their client gives up.");

        // 1. asyncio.TaskGroup: the first failure cancels the siblings, and the group raises every failure.
        var clock = Stopwatch.StartNew();
        var children = new List<Func<CancellationToken, Task<string>>> { token => GetOkAsync(client, site.Url("/fail-late"), token) };
        children.AddRange(Enumerable.Range(0, Children - 1).Select(i => (Func<CancellationToken, Task<string>>)(token => GetOkAsync(client, site.Url($"/hang?{i}"), token))));
        AggregateException? group = null;
        try
        {
            await WhenAllOrCancelAsync(children, cancellationToken);
        }
        catch (AggregateException e)
        {
            group = e;
        }
        var groupMs = clock.ElapsedMilliseconds;
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        var groupAbandoned = site.Server.Aborted;
        var failures = group?.InnerExceptions.Count ?? 0;
        output.WriteLine($"  TaskGroup by hand (linked token + WhenAll + cancel on the first fault): raised after {groupMs} ms with {failures} failure ({group?.InnerExceptions[0].GetType().Name});");
        output.WriteLine($"    the server saw the other {groupAbandoned} abandoned, not waited for");

        // 2. asyncio.wait(return_when=FIRST_EXCEPTION): stop waiting at the first fault; the rest go on until cancelled.
        site.Server.ResetCounters();
        using var rest = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new List<Task<string>>
        {
            client.GetStringAsync(site.Work("ok", TimeSpan.Zero, hold: Children), rest.Token),
            GetOkAsync(client, site.Url("/fail-late?after=ok-received"), rest.Token),
        };
        _ = tasks[0].ContinueWith(_ => site.Raise("ok-received"), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        tasks.AddRange(Enumerable.Range(0, Children - 2).Select(i => client.GetStringAsync(site.Url($"/hang?{i}"), rest.Token)));
        var done = new List<Task<string>>();
        await foreach (var task in Task.WhenEach(tasks).WithCancellation(cancellationToken))
        {
            done.Add(task);
            if (task.IsFaulted)
            {
                break;
            }
        }
        var pending = tasks.Count(t => !t.IsCompleted);
        // The failed request may still be leaving the server; the pending ones stay until cancelled.
        await site.Server.WaitUntilAsync(s => s.InFlight <= pending, TimeSpan.FromSeconds(5), cancellationToken);
        var stillAtServer = site.Server.InFlight;
        output.WriteLine($"  wait(FIRST_EXCEPTION) as Task.WhenEach left at the first fault: done {done.Count} ({done.Count(t => t.IsCompletedSuccessfully)} ok, {done.Count(t => t.IsFaulted)} failed), pending {pending}, still at the server: {stillAtServer}");
        await rest.CancelAsync();
        await Task.WhenAll(tasks).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"    ...which go on until cancelled: then the server saw {site.Server.Aborted} abandoned");

        // 3. asyncio.shield(save()): the caller may stop waiting; the save must not stop. It gets a token of its own.
        site.Server.ResetCounters();
        var save = client.GetStringAsync(site.Work("saved", TimeSpan.Zero, after: "caller-gone"), CancellationToken.None);
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await site.Server.WaitUntilAsync(s => s.InFlight > 0, TimeSpan.FromSeconds(5), cancellationToken);
        await caller.CancelAsync();
        string? callerSaw = null;
        try
        {
            await save.WaitAsync(caller.Token);
        }
        catch (OperationCanceledException e)
        {
            callerSaw = e.GetType().Name;
        }
        site.Raise("caller-gone");
        var saved = await save.WaitAsync(cancellationToken);
        output.WriteLine("a save whose caller is cancelled while it runs (asyncio.shield beside WaitAsync):");
        output.WriteLine($"  await save.WaitAsync(callerToken) threw {callerSaw} at once; the save went on: {save.Status} (\"{saved}\"), {site.Server.Aborted} abandoned at the server");
        return new Outcome(failures, group?.InnerExceptions[0].GetType().Name, groupAbandoned, done.Count, pending, stillAtServer, callerSaw, save.Status, site.Server.Aborted);
    }

    /// <summary>
    /// <c>async with asyncio.TaskGroup()</c> by hand: every child gets a token linked to the caller's; the first child
    /// to fail cancels the others; the group waits for all of them, then throws an <see cref="AggregateException"/>
    /// (an ExceptionGroup) of the failures, without the cancellations it caused.
    /// </summary>
    private static async Task<T[]> WhenAllOrCancelAsync<T>(IReadOnlyList<Func<CancellationToken, Task<T>>> children, CancellationToken cancellationToken)
    {
        using var group = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = children.Select(async child =>
        {
            try
            {
                return await child(group.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException || !group.IsCancellationRequested)
            {
                await group.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            return await Task.WhenAll(tasks);
        }
        catch when (tasks.Any(t => t.IsFaulted))
        {
            throw new AggregateException(tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions));
        }
    }

    private static async Task<string> GetOkAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    internal sealed record Outcome(
        int GroupFailures,
        string? GroupFailure,
        int GroupSiblingsAbandoned,
        int FirstExceptionDone,
        int FirstExceptionPending,
        int FirstExceptionStillAtServer,
        string? CallerSaw,
        TaskStatus SaveStatus,
        int SaveAbandoned) : DemoResult;
}
