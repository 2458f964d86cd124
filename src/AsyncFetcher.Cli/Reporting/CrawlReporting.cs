using AsyncFetcher.Core;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Cli.Reporting;

/// <summary>
/// What a crawl shows its user, in one place for <c>crawl</c>: the live progress line while it
/// runs, the summary built from the records as they stream past, and the --summary-json and
/// --report files at the end.
/// </summary>
internal sealed class CrawlReporting : IAsyncDisposable
{
    private readonly CrawlOptions options;
    private readonly bool quiet;
    private readonly Func<CrawlStats> stats;
    private readonly ReportFiles files;
    private readonly TimeProvider time;
    private readonly CrawlSummary summary = new();
    private ProgressReporter? progress;
    private DateTimeOffset startedAt;
    private long started;

    private CrawlReporting(CrawlOptions options, bool quiet, Func<CrawlStats> stats, ReportFiles files, TimeProvider time)
    {
        this.options = options;
        this.quiet = quiet;
        this.stats = stats;
        this.files = files;
        this.time = time;
    }

    /// <summary>Opens the report files asked for; on failure, null and the line to print.</summary>
    public static CrawlReporting? Open(CrawlOptions options, bool quiet, Func<CrawlStats> stats, TimeProvider time, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = ReportFiles.Open(options.SummaryJson, options.Report, out error);
        return files is null ? null : new CrawlReporting(options, quiet, stats, files, time);
    }

    /// <summary>
    /// Whether progress may be redrawn in place: standard error is a terminal, and the records do
    /// not go to that same terminal (as curl hides its meter), where the redraws would tangle with them.
    /// </summary>
    public static bool InteractiveProgress(CrawlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var recordsToTerminal = (string.IsNullOrEmpty(options.Output) || options.Output == "-") && !Console.IsOutputRedirected;
        return !Console.IsErrorRedirected && !recordsToTerminal;
    }

    /// <summary>The crawl starts now: start the clock and, unless quiet, the progress line.</summary>
    public void Start()
    {
        startedAt = time.GetUtcNow();
        started = time.GetTimestamp();
        if (!quiet)
        {
            progress = ProgressReporter.Start(stats, Console.Error, InteractiveProgress(options), options.ProgressInterval, TerminalWidth, time);
        }
    }

    /// <summary>Counts one record into the summary.</summary>
    public void Add(CrawlResult result) => summary.Add(result);

    /// <summary>The crawl is over (or was stopped early): clears the progress line, builds the summary and writes the report files.</summary>
    public async Task<SummaryReport> FinishAsync(string recordsName, bool stoppedEarly, CancellationToken cancellationToken)
    {
        await StopProgressAsync();
        var report = summary.ToReport(new SummaryRun
        {
            StartedAt = startedAt,
            Duration = time.GetElapsedTime(started),
            StoppedEarly = stoppedEarly,
            Stats = stats(),
            Output = new OutputSummary
            {
                Records = recordsName,
                Format = options.Format.ToString().ToLowerInvariant(),
                SummaryJson = NullIfEmpty(options.SummaryJson),
                Report = NullIfEmpty(options.Report),
                Warc = NullIfEmpty(options.Warc),
            },
        });
        await files.WriteAsync(report, cancellationToken);
        return report;
    }

    public async ValueTask DisposeAsync()
    {
        await StopProgressAsync();
        await files.DisposeAsync();
    }

    /// <summary>Stops the progress line and clears it from the terminal, so a last line starts clean.</summary>
    public async Task StopProgressAsync()
    {
        if (progress is not null)
        {
            await progress.DisposeAsync();
            progress = null;
        }
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (Exception e) when (e is IOException or PlatformNotSupportedException or InvalidOperationException)
        {
            return 80;
        }
    }
}
