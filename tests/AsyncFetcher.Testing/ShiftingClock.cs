namespace AsyncFetcher.Testing;

/// <summary>
/// A clock that runs at the machine's pace and that a test may also move forward at once (<see cref="Advance"/>).
/// For code that talks to a real server: what waits a moment (a retry's backoff through a slow connect) ends by
/// itself, as it would in production, while what waits long (a lease, a heartbeat) ends when the test says, not
/// after a minute of real time. A <c>FakeTimeProvider</c> would leave the short waits for ever.
/// </summary>
public sealed class ShiftingClock : TimeProvider
{
    private readonly Lock gate = new();
    private readonly List<ShiftingTimer> timers = [];
    private TimeSpan offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    public override long GetTimestamp() => System.GetTimestamp() + (long)(Offset.Ticks * (TimestampFrequency / (double)TimeSpan.TicksPerSecond));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ShiftingTimer(this, callback, state);
        lock (gate)
        {
            timers.Add(timer);
        }
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward by <paramref name="by"/>: every timer whose time comes in that span fires now.</summary>
    public void Advance(TimeSpan by)
    {
        ShiftingTimer[] current;
        lock (gate)
        {
            offset += by;
            current = [.. timers];
        }
        foreach (var timer in current)
        {
            timer.Reschedule();
        }
    }

    private TimeSpan Offset
    {
        get
        {
            lock (gate)
            {
                return offset;
            }
        }
    }

    private void Remove(ShiftingTimer timer)
    {
        lock (gate)
        {
            timers.Remove(timer);
        }
    }

    /// <summary>A timer due at a time of the shifting clock, waiting on a real timer for what is left of it.</summary>
    private sealed class ShiftingTimer : ITimer
    {
        private readonly ShiftingClock clock;
        private readonly TimerCallback callback;
        private readonly object? state;
        private readonly ITimer real;
        private readonly Lock gate = new();
        private DateTimeOffset? due;
        private TimeSpan period = Timeout.InfiniteTimeSpan;

        public ShiftingTimer(ShiftingClock clock, TimerCallback callback, object? state)
        {
            this.clock = clock;
            this.callback = callback;
            this.state = state;
            real = System.CreateTimer(static self => ((ShiftingTimer)self!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (gate)
            {
                due = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
                this.period = period;
            }
            Reschedule();
            return true;
        }

        /// <summary>Sets the real timer to what is left until the due time, as the clock now reads.</summary>
        public void Reschedule()
        {
            lock (gate)
            {
                if (due is { } at)
                {
                    var left = at - clock.GetUtcNow();
                    real.Change(left > TimeSpan.Zero ? left : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    real.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }
        }

        public void Dispose()
        {
            clock.Remove(this);
            real.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Fire()
        {
            lock (gate)
            {
                if (due is not { } at)
                {
                    // Stopped since the real timer was set.
                    return;
                }
                if (at > clock.GetUtcNow())
                {
                    // Moved later since, or a real timer a moment early: wait for the rest.
                    Reschedule();
                    return;
                }
                due = period == Timeout.InfiniteTimeSpan ? null : at + period;
            }
            callback(state);
            Reschedule();
        }
    }
}
