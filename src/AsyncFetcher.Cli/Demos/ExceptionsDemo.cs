namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo exceptions</c>: ExceptionGroup and <c>except*</c> beside <see cref="AggregateException"/>. Four requests,
/// two failing, one cancelled, one fine, awaited with <see cref="Task.WhenAll(IEnumerable{Task})"/>: what
/// <c>await</c> throws, what the task's <see cref="Task.Exception"/> holds (the failures, not the cancellation),
/// what <c>.Wait()</c> throws, how sync-over-async nests groups (<see cref="AggregateException.Flatten"/>), and
/// <see cref="AggregateException.Handle"/> as <c>except*</c>.
/// </summary>
internal sealed class ExceptionsDemo : IDemo
{
    public string Name => "exceptions";

    public string Summary => "AggregateException as ExceptionGroup: WhenAll over faulted and cancelled tasks, Flatten, Handle as except*";

    public string Takeaway => "a faulted task's Exception is an AggregateException (an ExceptionGroup); await rethrows its first; cancellations are not in it.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        output.WriteLine("four requests awaited with Task.WhenAll: two answer 500, one is cancelled by its token, one succeeds");

        using var cancelOne = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new List<Task<string>>
        {
            client.GetStringAsync(site.Url("/fail?1"), cancellationToken),
            client.GetStringAsync(site.Url("/hang"), cancelOne.Token),
            client.GetStringAsync(site.Url("/fail?2"), cancellationToken),
            client.GetStringAsync(site.Work("ok", TimeSpan.Zero), cancellationToken),
        };
        await site.Server.WaitUntilAsync(s => s.Requests >= tasks.Count, TimeSpan.FromSeconds(5), cancellationToken);
        await cancelOne.CancelAsync();
        var all = Task.WhenAll(tasks);
        string? awaitThrew = null;
        try
        {
            await all;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            awaitThrew = e.GetType().Name;
        }
        var held = all.Exception!.InnerExceptions;
        output.WriteLine($"  await threw:       {awaitThrew} (the first failure, unwrapped; not the cancellation)");
        output.WriteLine($"  the WhenAll task:  {all.Status}; its Exception, an {all.Exception.GetType().Name}, holds {held.Count}: {string.Join(", ", held.Select(e => e.GetType().Name))}");
        output.WriteLine($"  each task:         {Count(tasks, TaskStatus.RanToCompletion)} RanToCompletion, {Count(tasks, TaskStatus.Faulted)} Faulted, {Count(tasks, TaskStatus.Canceled)} Canceled (return_exceptions=True: look at each)");
        string? waitThrew = null;
        var waitHeld = 0;
        try
        {
            // Blocking code gets the whole group, as except* does.
            all.Wait(cancellationToken);
        }
        catch (AggregateException e)
        {
            waitThrew = e.GetType().Name;
            waitHeld = e.InnerExceptions.Count;
        }
        output.WriteLine($"  .Wait() instead:   threw {waitThrew} holding {waitHeld}");

        // Only cancelled and successful tasks: the group is cancelled, not faulted.
        var quiet = Task.WhenAll(tasks[1], tasks[3]);
        string? quietThrew = null;
        try
        {
            await quiet;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            quietThrew = e.GetType().Name;
        }
        output.WriteLine($"WhenAll over the cancelled and the successful one: await threw {quietThrew}; the task is {quiet.Status}, its Exception {(quiet.Exception is null ? "null" : "set")}");

        // Sync-over-async inside a task nests one group in another; Flatten undoes it.
        var nested = Task.Run(() => Task.WhenAll(tasks[0], tasks[2]).Wait(cancellationToken), cancellationToken);
        await Task.WhenAny(nested);
        var outer = nested.Exception!;
        var flattened = outer.Flatten().InnerExceptions.Count;
        output.WriteLine($"a task that blocked on the two failures with .Wait(): its Exception is {outer.GetType().Name}({outer.InnerExceptions[0].GetType().Name}({((AggregateException)outer.InnerExceptions[0]).InnerExceptions.Count})); Flatten() gives {flattened}");

        // except* HttpRequestException: handle those, let the rest propagate as a new group.
        var mixed = new AggregateException(held.Append(new InvalidOperationException("a page that would not parse")));
        var handled = 0;
        IReadOnlyList<Exception> rest = [];
        try
        {
            mixed.Handle(e =>
            {
                var mine = e is HttpRequestException;
                handled += mine ? 1 : 0;
                return mine;
            });
        }
        catch (AggregateException unhandled)
        {
            rest = unhandled.InnerExceptions;
        }
        output.WriteLine($"except* HttpRequestException as Handle(e => e is HttpRequestException) over {mixed.InnerExceptions.Count}: handled {handled}, rethrew a group of {rest.Count} ({string.Join(", ", rest.Select(e => e.GetType().Name))})");
        return new Outcome(awaitThrew, all.Status, held.Count, Count(tasks, TaskStatus.Canceled), waitThrew, waitHeld, quietThrew, quiet.Status, outer.InnerExceptions.Count, flattened, handled, rest.Count);
    }

    private static int Count(IEnumerable<Task> tasks, TaskStatus status) => tasks.Count(t => t.Status == status);

    internal sealed record Outcome(
        string? AwaitThrew,
        TaskStatus WhenAllStatus,
        int WhenAllHolds,
        int Cancelled,
        string? WaitThrew,
        int WaitHolds,
        string? CancelledOnlyThrew,
        TaskStatus CancelledOnlyStatus,
        int NestedOuterCount,
        int Flattened,
        int Handled,
        int Rethrown) : DemoResult;
}
