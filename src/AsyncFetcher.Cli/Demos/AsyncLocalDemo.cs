namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo async-local</c>: <see cref="AsyncLocal{T}"/> is <c>contextvars</c>. Three requests each note "the URL
/// I am fetching" before they await their response. A <c>[ThreadStatic]</c> field (a global, as far as one
/// thread is concerned) is overwritten by the others while each waits; an <see cref="AsyncLocal{T}"/> flows
/// with each one's awaits, onto whichever thread resumes it, and a change made inside a callee does not flow back.
/// </summary>
internal sealed class AsyncLocalDemo : IDemo
{
    private const int Requests = 3;

    [ThreadStatic]
    private static string? threadCurrent;

    private static readonly AsyncLocal<string?> Current = new();

    public string Name => "async-local";

    public string Summary => "AsyncLocal<T> as contextvars: a value per flow of awaits, where [ThreadStatic] is shared";

    public string Takeaway => "AsyncLocal<T> is contextvars: each flow of awaits keeps its own value, on any thread; a [ThreadStatic] does not.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        output.WriteLine($"{Requests} requests each set \"the request I am on\", then await their response (the server answers once all {Requests} arrived):");

        // 1. On one thread, as in asyncio: the three set the thread's field in turn before any of them resumes.
        var onLoop = await EventLoop.RunAsync(() => FetchAllAsync(client, site, "loop", cancellationToken));
        output.WriteLine($"  on one thread (the event loop): [ThreadStatic] field: {onLoop.ThreadStaticRight} of {Requests} read their own back (all three saw \"{onLoop.LastWritten}\")");
        output.WriteLine($"                                  AsyncLocal<string>:   {onLoop.AsyncLocalRight} of {Requests}");

        // 2. On the thread pool each resumes on some pool thread; the AsyncLocal travels with it.
        site.Server.ResetCounters();
        var onPool = await Task.Run(() => FetchAllAsync(client, site, "pool", cancellationToken), cancellationToken);
        output.WriteLine($"  on the thread pool ({onPool.Threads} thread(s) resumed them): AsyncLocal<string>: {onPool.AsyncLocalRight} of {Requests}");

        // 3. A value set inside an awaited method stays there: the caller keeps its own (a task runs in a copy of the context).
        Current.Value = "/outer";
        await SetInsideAsync("/inner");
        var afterCallee = Current.Value;
        output.WriteLine($"an awaited method set it to \"/inner\"; back in the caller it is \"{afterCallee}\"");
        return new Outcome(Requests, onLoop.ThreadStaticRight, onLoop.AsyncLocalRight, onPool.AsyncLocalRight, afterCallee);
    }

    private static async Task<Flow> FetchAllAsync(HttpClient client, DemoSite site, string run, CancellationToken cancellationToken)
    {
        var threads = new HashSet<int>();
        var results = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            var id = $"{run}-{i}";
            threadCurrent = id;
            Current.Value = id;
            await client.GetStringAsync(site.Work(id, TimeSpan.Zero, hold: Requests), cancellationToken);
            lock (threads)
            {
                threads.Add(Environment.CurrentManagedThreadId);
            }
            return (Mine: id, ThreadStatic: threadCurrent, AsyncLocal: Current.Value);
        }));
        return new Flow(
            results.Count(r => r.ThreadStatic == r.Mine),
            results.Count(r => r.AsyncLocal == r.Mine),
            threads.Count,
            results[^1].Mine);
    }

    private static async Task SetInsideAsync(string value)
    {
        Current.Value = value;
        await Task.Yield();
    }

    private sealed record Flow(int ThreadStaticRight, int AsyncLocalRight, int Threads, string LastWritten);

    internal sealed record Outcome(int Requests, int ThreadStaticRightOnLoop, int AsyncLocalRightOnLoop, int AsyncLocalRightOnPool, string? AfterCallee) : DemoResult;
}
