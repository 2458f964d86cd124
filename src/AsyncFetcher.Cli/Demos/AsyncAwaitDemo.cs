using System.Collections.Concurrent;
using System.Diagnostics;
using AsyncFetcher.Loopback;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo async-await</c>: the same requests made three ways. Blocking calls (<c>HttpClient.Send</c>,
/// like <c>requests.get</c>) on one thread go one at a time; on N threads they overlap but hold N
/// threads; <c>await</c> (like aiohttp) overlaps them all while the code runs on one thread.
/// </summary>
internal sealed class AsyncAwaitDemo(int requests = 10, int delayMs = 60) : IDemo
{
    public string Name => "async-await";

    public string Summary => "Blocking vs awaiting HttpClient: threads held vs requests in flight";

    public string Takeaway => "await gives the thread back while a request waits: ten requests in flight cost one thread, and none is blocked.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var delay = TimeSpan.FromMilliseconds(delayMs);
        // Threads of ours inside a call, and the most of them the server found there when it answered a request.
        var blocked = new InFlightGauge();
        var blockedWhenAnswered = 0;
        site.Answering = () => InterlockedMax(ref blockedWhenAnswered, blocked.Current);
        output.WriteLine($"{requests} requests; the server at {site.Server.BaseUrl} answers each after {delayMs} ms.");
        output.WriteLine();

        // 1. Blocking, one thread: each Send holds the thread until its response is in.
        var threadIds = new ConcurrentDictionary<int, bool>();
        var clock = Stopwatch.StartNew();
        await Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < requests; i++)
            {
                threadIds[Environment.CurrentManagedThreadId] = true;
                blocked.Enter();
                try
                {
                    using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, site.Work($"{i}", delay)), cancellationToken);
                }
                finally
                {
                    blocked.Leave();
                }
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var sequential = new Line(clock.ElapsedMilliseconds, site.Server.PeakInFlight, threadIds.Count, blockedWhenAnswered);
        output.WriteLine($"blocking Send, 1 thread:     {sequential.Ms,5} ms, server peak in flight {sequential.Peak,2}, threads used {sequential.Threads,2}, blocked at once {sequential.Blocked,2}");

        // 2. Blocking, one thread per request: they overlap, but every request holds a thread while it waits.
        site.Server.ResetCounters();
        threadIds.Clear();
        blockedWhenAnswered = 0;
        clock.Restart();
        var threads = Enumerable.Range(0, requests).Select(i => Task.Factory.StartNew(() =>
        {
            threadIds[Environment.CurrentManagedThreadId] = true;
            blocked.Enter();
            try
            {
                using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, site.Work($"{i}", delay, hold: requests)), cancellationToken);
            }
            finally
            {
                blocked.Leave();
            }
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        await Task.WhenAll(threads);
        var perThread = new Line(clock.ElapsedMilliseconds, site.Server.PeakInFlight, threadIds.Count, blockedWhenAnswered);
        output.WriteLine($"blocking Send, a thread each: {perThread.Ms,5} ms, server peak in flight {perThread.Peak,2}, threads used {perThread.Threads,2}, blocked at once {perThread.Blocked,2}");

        // 3. await on one thread (an event loop, as in asyncio): the waits overlap and hold no thread.
        site.Server.ResetCounters();
        blockedWhenAnswered = 0;
        clock.Restart();
        var loopThreads = await EventLoop.RunAsync(async () =>
        {
            var seen = new HashSet<int> { Environment.CurrentManagedThreadId };
            var pending = Enumerable.Range(0, requests).Select(async i =>
            {
                Task<string> call;
                blocked.Enter();
                try
                {
                    // The call returns its task at its first await that has to wait: the thread is not held.
                    call = client.GetStringAsync(site.Work($"{i}", delay, hold: requests, after: "all-started"), cancellationToken);
                }
                finally
                {
                    blocked.Leave();
                }
                var body = await call;
                seen.Add(Environment.CurrentManagedThreadId);
                return body;
            }).ToList();
            // Every call has returned its task: from here the server may answer, and counts who is still inside one.
            site.Raise("all-started");
            await Task.WhenAll(pending);
            seen.Add(Environment.CurrentManagedThreadId);
            return seen.Count;
        });
        var awaited = new Line(clock.ElapsedMilliseconds, site.Server.PeakInFlight, loopThreads, blockedWhenAnswered);
        output.WriteLine($"await, 1 thread (event loop): {awaited.Ms,5} ms, server peak in flight {awaited.Peak,2}, threads used {awaited.Threads,2}, blocked at once {awaited.Blocked,2}");
        output.WriteLine();
        output.WriteLine("(blocked at once: threads of ours inside a call when the server answered.) While a request waits");
        output.WriteLine("for the network, await returns the thread: none is blocked, and the code after each await");
        output.WriteLine("resumed on the loop's one thread.");
        return new Outcome(sequential, perThread, awaited);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    /// <summary>One way of making the requests: elapsed, the server's peak in flight, threads that ran our code, our threads inside a call when the server answered.</summary>
    internal sealed record Line(long Ms, int Peak, int Threads, int Blocked);

    internal sealed record Outcome(Line BlockingOneThread, Line BlockingThreadEach, Line AwaitOneThread) : DemoResult;
}
