using AsyncFetcher.Core;
using AsyncFetcher.Core.Output.Report;
using AsyncFetcher.Core.Output.Summary;

namespace AsyncFetcher.Cli.Reporting;

/// <summary>
/// The --summary-json and --report files. They are opened before the crawl starts, so a path that
/// cannot be written fails at once, not after an hour of crawling; they are written at the end.
/// </summary>
internal sealed class ReportFiles : IAsyncDisposable
{
    private readonly FileStream? summaryJson;
    private readonly FileStream? report;

    private ReportFiles(FileStream? summaryJson, FileStream? report)
    {
        this.summaryJson = summaryJson;
        this.report = report;
    }

    /// <summary>Creates the files that are asked for (empty paths are skipped); on failure, null and the line to print.</summary>
    public static ReportFiles? Open(string? summaryJsonPath, string? reportPath, out string? error)
    {
        error = null;
        FileStream? json = null;
        var path = summaryJsonPath;
        try
        {
            json = Create(summaryJsonPath);
            path = reportPath;
            return new ReportFiles(json, Create(reportPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            json?.Dispose();
            error = $"cannot write '{path}': {FileErrors.Describe(e)}";
            return null;
        }
    }

    /// <summary>Writes the summary to each file asked for.</summary>
    public async Task WriteAsync(SummaryReport summary, CancellationToken cancellationToken)
    {
        if (summaryJson is not null)
        {
            await SummaryJson.WriteAsync(summaryJson, summary, cancellationToken);
        }
        if (report is not null)
        {
            await HtmlReport.WriteAsync(report, summary, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (summaryJson is not null)
        {
            await summaryJson.DisposeAsync();
        }
        if (report is not null)
        {
            await report.DisposeAsync();
        }
    }

    private static FileStream? Create(string? path) =>
        string.IsNullOrEmpty(path) ? null : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
}
