using System.Diagnostics;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo when-any</c>: ask three mirrors, take the first answer with <see cref="Task.WhenAny(Task[])"/>
/// (<c>asyncio.wait(..., return_when=FIRST_COMPLETED)</c>), then cancel the losers: WhenAny does not.
/// </summary>
internal sealed class WhenAnyDemo : IDemo
{
    private static readonly (string Id, int Ms)[] Mirrors = [("mirror-a", 1500), ("mirror-b", 100), ("mirror-c", 1000)];

    public string Name => "when-any";

    public string Summary => "First of three mirrors with Task.WhenAny, then cancel the other two";

    public string Takeaway => "WhenAny is wait(FIRST_COMPLETED): it hands you the winner and cancels nothing; cancelling the losers is your job.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        output.WriteLine($"three mirrors answer after {string.Join(", ", Mirrors.Select(m => $"{m.Id} {m.Ms} ms"))}");

        using var losers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        // The slower mirrors also wait until the fastest answer has reached us: the winner is certain, not a race.
        var fastest = Mirrors.MinBy(m => m.Ms).Id;
        var tasks = Mirrors.Select(m => client.GetStringAsync(
            site.Work(m.Id, TimeSpan.FromMilliseconds(m.Ms), after: m.Id == fastest ? null : "winner-received"), losers.Token)).ToList();
        _ = tasks[Array.FindIndex(Mirrors, m => m.Id == fastest)].ContinueWith(
            _ => site.Raise("winner-received"), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var first = await Task.WhenAny(tasks);
        var winner = await first;
        var winnerMs = clock.ElapsedMilliseconds;
        output.WriteLine($"Task.WhenAny returned after {winnerMs} ms: {winner}");

        // The other two are still running: cancel them, and wait for them to finish cancelling.
        await losers.CancelAsync();
        var cancelled = 0;
        foreach (var task in tasks.Where(t => t != first))
        {
            try
            {
                await task;
            }
            catch (OperationCanceledException)
            {
                cancelled++;
            }
        }
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"cancelled the other {cancelled}; the server saw {site.Server.Aborted} request(s) abandoned, in flight now {site.Server.InFlight}, after {clock.ElapsedMilliseconds} ms");
        output.WriteLine("Without the cancel, the server would have worked until 1500 ms on answers nobody reads.");
        return new Outcome(winner, cancelled, site.Server.Aborted, winnerMs);
    }

    internal sealed record Outcome(string Winner, int LosersCancelled, int ServerAborted, long WinnerMs) : DemoResult;
}
