using System.Diagnostics;
using System.Threading.Channels;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Fetching;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo time</c>: code that takes its time from a <see cref="TimeProvider"/> runs on the real clock
/// or on one moved by hand. A <see cref="PeriodicTimer"/> ticks five minutes in no time, and the
/// crawler's real <see cref="Fetcher"/> times out a request that never ends after 31 s of manual time.
/// </summary>
internal sealed class TimeDemo(int realPeriodMs = 100) : IDemo
{
    public string Name => "time";

    public string Summary => "TimeProvider: a PeriodicTimer and the Fetcher's timeout on a clock moved by hand";

    public string Takeaway => "code that takes a TimeProvider runs on a clock moved by hand: minutes of timers, tested in milliseconds.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        // 1. The same ticker on the system clock, then on a manual one.
        var wall = Stopwatch.StartNew();
        var realTicks = await TickAsync(TimeProvider.System, TimeSpan.FromMilliseconds(realPeriodMs), 3, advance: null, cancellationToken);
        output.WriteLine($"PeriodicTimer({realPeriodMs} ms) on TimeProvider.System: {realTicks} ticks in {wall.ElapsedMilliseconds} ms of wall-clock time");

        var clock = new ManualClock();
        var before = clock.GetUtcNow();
        wall.Restart();
        var manualTicks = await TickAsync(clock, TimeSpan.FromMinutes(1), 5, advance: clock.Advance, cancellationToken);
        var simulated = clock.GetUtcNow() - before;
        output.WriteLine($"PeriodicTimer(1 min) on a manual clock:  {manualTicks} ticks, {simulated.TotalMinutes} min of clock time in {wall.ElapsedMilliseconds} ms of wall-clock time");

        // 2. The real Fetcher on the manual clock: its budget timer fires when the clock is moved, not before.
        await using var site = await DemoSite.StartAsync(cancellationToken);
        var options = new CrawlOptions { Retries = 0, Timeout = TimeSpan.FromSeconds(30) };
        var budget = ResilienceSetup.TotalBudget(options);
        await using var services = DemoServices.Build(options, clock);
        var fetcher = services.GetRequiredService<Fetcher>();
        // The demo site is on loopback: like a crawl's seed, it allows its own network (ConnectionGuard).
        fetcher.AddSeed(site.Url("/"));
        wall.Restart();
        var fetch = fetcher.FetchAsync(site.Url("/hang"), keepBody: false, cancellationToken);
        await site.Server.WaitUntilAsync(s => s.InFlight > 0, TimeSpan.FromSeconds(5), cancellationToken);
        clock.Advance(budget);
        var response = await fetch;
        output.WriteLine($"Fetcher.FetchAsync on a server that never answers, --timeout 30s: moved the clock {budget.TotalSeconds} s;");
        output.WriteLine($"  the record says error \"{response.Error}\" after {response.Elapsed.TotalSeconds} s, in {wall.ElapsedMilliseconds} ms of wall-clock time");
        output.WriteLine("Tests do the same with FakeTimeProvider: no sleeping, and no result that depends on the machine's speed.");
        return new Outcome(realTicks, manualTicks, simulated, response.Error, response.Elapsed);
    }

    /// <summary>Counts <paramref name="count"/> ticks; with <paramref name="advance"/>, moves the clock one period before each.</summary>
    private static async Task<int> TickAsync(TimeProvider time, TimeSpan period, int count, Action<TimeSpan>? advance, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        var ticks = Channel.CreateUnbounded<int>();
        var ticker = Task.Run(async () =>
        {
            var n = 0;
            while (n < count && await timer.WaitForNextTickAsync(cancellationToken))
            {
                ticks.Writer.TryWrite(++n);
            }
            ticks.Writer.Complete();
        }, cancellationToken);
        var seen = 0;
        while (seen < count)
        {
            advance?.Invoke(period);
            // Wait for the ticker to count this tick before moving on, so two ticks never merge into one.
            seen = await ticks.Reader.ReadAsync(cancellationToken);
        }
        await ticker;
        return seen;
    }

    internal sealed record Outcome(int RealTicks, int ManualTicks, TimeSpan Simulated, string? FetchError, TimeSpan FetchElapsed) : DemoResult;
}
