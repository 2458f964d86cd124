using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core.Model;
using Microsoft.Extensions.Time.Testing;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>The progress line, driven by a fake clock into an injected writer: no sleeping.</summary>
public sealed class ProgressReporterTests
{
    private const string ClearToEnd = "\u001b[K";
    private readonly FakeTimeProvider time = new();
    private readonly CrawlStats stats = new();

    [Fact]
    public async Task On_a_terminal_one_line_is_redrawn_in_place_and_cleared_at_the_end()
    {
        using var output = new SignallingWriter();
        Pages(3, bytes: 1500, error: true);
        stats.SetInFlight(2);
        stats.SetQueued(5);
        var reporter = ProgressReporter.Start(() => stats, output, terminal: true, TimeSpan.FromSeconds(10), () => 200, time)!;

        time.Advance(ProgressReporter.RedrawInterval);
        await output.WaitForFlushAsync();
        Pages(2, bytes: 500, error: false, attempts: 3);
        time.Advance(ProgressReporter.RedrawInterval);
        await output.WaitForFlushAsync();
        await reporter.DisposeAsync();

        var text = output.ToString();
        Assert.DoesNotContain('\n', text);
        string[] frames = [.. text.Split('\r').Skip(1)];
        Assert.Equal(
        [
            "0:00:00 · 3 pages · 2 in flight · 5 queued · 12.0 pages/s · 1.46 KiB · 3 errors · 0 retries" + ClearToEnd,
            "0:00:00 · 5 pages · 2 in flight · 5 queued · 10.0 pages/s · 1.95 KiB · 3 errors · 4 retries" + ClearToEnd,
            ClearToEnd,
        ], frames);
    }

    [Fact]
    public async Task On_a_narrow_terminal_the_line_is_cut_so_it_never_wraps()
    {
        using var output = new SignallingWriter();
        var reporter = ProgressReporter.Start(() => stats, output, terminal: true, TimeSpan.FromSeconds(10), () => 40, time)!;

        time.Advance(ProgressReporter.RedrawInterval);
        await output.WaitForFlushAsync();
        await reporter.DisposeAsync();

        var frame = output.ToString().Split('\r')[1];
        Assert.Equal(39 + ClearToEnd.Length, frame.Length);
    }

    [Fact]
    public async Task On_an_80_column_terminal_errors_and_retries_stay_on_the_line()
    {
        using var output = new SignallingWriter();
        Pages(123_456, bytes: 9_876_543_210, error: true, attempts: 3);
        stats.SetInFlight(1_000);
        stats.SetQueued(4_567_890);
        var reporter = ProgressReporter.Start(() => stats, output, terminal: true, TimeSpan.FromSeconds(10), () => 80, time)!;

        time.Advance(ProgressReporter.RedrawInterval);
        await output.WaitForFlushAsync();
        await reporter.DisposeAsync();

        var frame = output.ToString().Split('\r')[1][..^ClearToEnd.Length];
        Assert.InRange(frame.Length, 1, 79);
        Assert.EndsWith("123,456 errors · 246,912 retries", frame, StringComparison.Ordinal);
        Assert.StartsWith("0:00:00 · 123,456 pages", frame, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Elsewhere_a_plain_line_is_logged_every_interval_with_the_rate_over_it()
    {
        using var output = new SignallingWriter();
        var reporter = ProgressReporter.Start(() => stats, output, terminal: false, TimeSpan.FromSeconds(10), () => 80, time)!;

        Pages(10, bytes: 10 * 1024, error: false);
        time.Advance(TimeSpan.FromSeconds(10));
        await output.WaitForFlushAsync();
        Pages(30, bytes: 0, error: false);
        stats.SetInFlight(4);
        time.Advance(TimeSpan.FromSeconds(10));
        await output.WaitForFlushAsync();
        await reporter.DisposeAsync();

        Assert.Equal(
            "asyncfetch: progress: 0:00:10, 10 pages, 0 in flight, 0 queued, 1.0 pages/s, 10.0 KiB, 0 errors, 0 retries\n" +
            "asyncfetch: progress: 0:00:20, 40 pages, 4 in flight, 0 queued, 3.0 pages/s, 10.0 KiB, 0 errors, 0 retries\n",
            output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Off_a_terminal_an_interval_of_zero_turns_progress_off() =>
        Assert.Null(ProgressReporter.Start(() => stats, TextWriter.Null, terminal: false, TimeSpan.Zero, () => 80, time));

    private void Pages(int count, long bytes, bool error, int attempts = 1)
    {
        for (var i = 0; i < count; i++)
        {
            stats.RecordResult(new CrawlResult
            {
                Url = $"http://a.example/{i}",
                Bytes = i == 0 ? bytes : 0,
                Attempts = attempts,
                Error = error ? "timeout" : null,
            });
        }
    }
}
