using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace AsyncFetcher.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also reports every time a timer is re-armed (<see cref="ITimer.Change"/>),
/// with its new due time: a test can wait until the code under test has reacted to something (an attempt
/// that saw the first byte of a response arms its rate window) before it moves the clock.
/// </summary>
public sealed class TimerWatchingClock() : FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    private readonly Channel<TimeSpan> changes = Channel.CreateUnbounded<TimeSpan>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Watched(base.CreateTimer(callback, state, dueTime, period), changes.Writer);

    /// <summary>The due time of the next re-armed timer that matches; fails after a generous real-time guard rather than hanging.</summary>
    public async Task<TimeSpan> NextChangeAsync(Func<TimeSpan, bool> match)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var due = await changes.Reader.ReadAsync(guard.Token);
            if (match(due))
            {
                return due;
            }
        }
    }

    private sealed class Watched(ITimer inner, ChannelWriter<TimeSpan> changes) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var changed = inner.Change(dueTime, period);
            changes.TryWrite(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
