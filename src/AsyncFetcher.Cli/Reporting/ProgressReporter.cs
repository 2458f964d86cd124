using System.Globalization;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Cli.Reporting;

/// <summary>
/// Live progress on standard error. On a terminal one line is redrawn in place a few times a second
/// (like wget2's bar); elsewhere (CI, a pipe, a file) a plain line is logged every interval, since
/// redraws would fill a log with carriage returns. It only reads <see cref="CrawlStats"/> counters,
/// so it never slows the crawl; a <see cref="PeriodicTimer"/> on the injected <see cref="TimeProvider"/>
/// drives it, so tests advance a fake clock instead of waiting.
/// </summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    /// <summary>How often the terminal line is redrawn.</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The rate is measured over about this long, so it follows the crawl without jumping about.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);

    private const string ClearToEnd = "\u001b[K";

    private readonly Func<CrawlStats> stats;
    private readonly TextWriter output;
    private readonly bool terminal;
    private readonly Func<int> width;
    private readonly TimeProvider time;
    private readonly long started;
    private readonly Queue<(TimeSpan At, long Pages)> samples = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private bool drawn;

    private ProgressReporter(Func<CrawlStats> stats, TextWriter output, bool terminal, TimeSpan period, Func<int> width, TimeProvider time)
    {
        this.stats = stats;
        this.output = output;
        this.terminal = terminal;
        this.width = width;
        this.time = time;
        started = time.GetTimestamp();
        samples.Enqueue((TimeSpan.Zero, 0));
        loop = RunAsync(period);
    }

    /// <summary>
    /// Starts reporting: redrawn in place when <paramref name="terminal"/>, else a line every
    /// <paramref name="logInterval"/>. Null when there is nothing to report (not a terminal and a zero interval).
    /// </summary>
    public static ProgressReporter? Start(Func<CrawlStats> stats, TextWriter output, bool terminal, TimeSpan logInterval, Func<int> width, TimeProvider time)
    {
        if (!terminal && logInterval <= TimeSpan.Zero)
        {
            return null;
        }
        return new ProgressReporter(stats, output, terminal, terminal ? RedrawInterval : logInterval, width, time);
    }

    /// <summary>Stops the timer and, on a terminal, clears the line so the summary starts on a clean one.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
        if (terminal && drawn)
        {
            await output.WriteAsync("\r" + ClearToEnd);
            await output.FlushAsync();
        }
    }

    /// <summary>The progress fields, joined by <paramref name="separator"/>: elapsed, pages, in flight, queued, rate, bytes, errors, retries.</summary>
    public static string Describe(CrawlStats stats, TimeSpan elapsed, double pagesPerSecond, string separator) =>
        string.Join(separator, Fields(stats, elapsed, pagesPerSecond).Select(f => f.Text));

    /// <summary>
    /// The terminal line, at most <paramref name="width"/> characters: when the full line is wider, the fields that
    /// matter least go first (queued, bytes, rate, in flight), so pages, errors and retries, what a user watches
    /// for, stay; only a terminal too narrow even for those cuts the line.
    /// </summary>
    public static string Fit(CrawlStats stats, TimeSpan elapsed, double pagesPerSecond, int width)
    {
        const string separator = " · ";
        var fields = Fields(stats, elapsed, pagesPerSecond).ToList();
        var line = string.Join(separator, fields.Select(f => f.Text));
        for (var drop = 1; line.Length > width && fields.Any(f => f.Drop == drop); drop++)
        {
            fields.RemoveAll(f => f.Drop == drop);
            line = string.Join(separator, fields.Select(f => f.Text));
        }
        return line.Length > width ? line[..width] : line;
    }

    /// <summary>Each field of the line, with the order in which a narrow terminal drops it (0: never).</summary>
    private static IEnumerable<(string Text, int Drop)> Fields(CrawlStats stats, TimeSpan elapsed, double pagesPerSecond)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var c = CultureInfo.InvariantCulture;
        yield return (string.Create(c, $"{(int)elapsed.TotalHours}:{elapsed.Minutes:00}:{elapsed.Seconds:00}"), 0);
        yield return (Counted.Of(stats.Pages, "page", "pages"), 0);
        yield return (string.Create(c, $"{stats.InFlight:N0} in flight"), 4);
        yield return (string.Create(c, $"{stats.Queued:N0} queued"), 1);
        yield return (string.Create(c, $"{pagesPerSecond:F1} pages/s"), 3);
        yield return (Units.HumanBytes(stats.Bytes), 2);
        yield return (Counted.Of(stats.Errors, "error", "errors"), 0);
        yield return (Counted.Of(stats.Retries, "retry", "retries"), 0);
    }

    private async Task RunAsync(TimeSpan period)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await TickAsync();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task TickAsync()
    {
        var current = stats();
        var elapsed = time.GetElapsedTime(started);
        var pages = current.Pages;
        while (samples.Count > 1 && elapsed - samples.Peek().At > RateWindow)
        {
            samples.Dequeue();
        }
        var (since, pagesThen) = samples.Peek();
        var rate = elapsed > since ? (pages - pagesThen) / (elapsed - since).TotalSeconds : 0;
        samples.Enqueue((elapsed, pages));

        if (terminal)
        {
            // A line longer than the terminal would wrap, and the carriage return would then redraw only its tail.
            var line = Fit(current, elapsed, rate, Math.Max(20, width() - 1));
            await output.WriteAsync("\r" + line + ClearToEnd);
            drawn = true;
        }
        else
        {
            await output.WriteLineAsync("asyncfetch: progress: " + Describe(current, elapsed, rate, ", "));
        }
        await output.FlushAsync();
    }
}
