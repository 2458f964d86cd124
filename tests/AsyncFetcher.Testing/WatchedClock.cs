using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace AsyncFetcher.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer created on it with its due time, so a
/// test can wait until the code under test has started waiting (a retry backoff, a held host) and
/// then advance exactly that far: no sleeping, no guessing.
/// </summary>
public sealed class WatchedClock() : FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    /// <summary>Each timer created: its due time, and the moment on this clock it fires.</summary>
    private readonly Channel<(TimeSpan Due, DateTimeOffset At)> created = Channel.CreateUnbounded<(TimeSpan, DateTimeOffset)>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        created.Writer.TryWrite((dueTime, dueTime < TimeSpan.Zero ? DateTimeOffset.MaxValue : GetUtcNow() + dueTime));
        return timer;
    }

    /// <summary>Forgets the timers created so far: <see cref="NextTimerAsync"/> then sees only those created after this call.</summary>
    public void ForgetTimers()
    {
        while (created.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>
    /// The due time of the next timer created that matches and has not fired yet; fails the test after a generous
    /// real-time guard rather than hanging. A timer the clock has already moved past is skipped: code that waits for
    /// one moment may start a second timer for it (its wait was interrupted by other work), and advancing by that
    /// one too would move the clock past waits the code has not started yet.
    /// </summary>
    public async Task<TimeSpan> NextTimerAsync(Func<TimeSpan, bool> match, CancellationToken cancellationToken = default)
    {
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var (due, at) = await created.Reader.ReadAsync(guard.Token);
            if (at > GetUtcNow() && match(due))
            {
                return due;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="crawl"/> to its end, advancing the clock by each short wait it starts
    /// (backoffs, Retry-After, breaker pauses: anything under ten minutes); returns those waits.
    /// </summary>
    public async Task<(T Result, List<TimeSpan> Waits)> PumpAsync<T>(Task<T> crawl)
    {
        var waits = new List<TimeSpan>();
        using var stop = new CancellationTokenSource();
        while (true)
        {
            var timer = NextTimerAsync(d => d > TimeSpan.Zero && d < TimeSpan.FromMinutes(10), stop.Token);
            if (await Task.WhenAny(crawl, timer) == crawl)
            {
                await stop.CancelAsync();
                return (await crawl, waits);
            }
            var due = await timer;
            waits.Add(due);
            Advance(due);
        }
    }
}
