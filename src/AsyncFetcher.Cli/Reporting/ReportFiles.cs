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

    /// <summary>Writing failed and was reported: closing then tries no more (the same error again would hide the first).</summary>
    private bool failed;

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
            error = FileErrors.Line("cannot write", path!, e);
            return null;
        }
    }

    /// <summary>Writes the summary to each file asked for, to the disk: a failure shows here, not when the files close.</summary>
    /// <exception cref="IOException">A file could not be written; the message names it.</exception>
    public async Task WriteAsync(SummaryReport summary, CancellationToken cancellationToken)
    {
        if (summaryJson is not null)
        {
            await WriteAsync(summaryJson, stream => SummaryJson.WriteAsync(stream, summary, cancellationToken), cancellationToken);
        }
        if (report is not null)
        {
            await WriteAsync(report, stream => HtmlReport.WriteAsync(stream, summary, cancellationToken), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var file in new[] { summaryJson, report })
        {
            try
            {
                if (file is not null)
                {
                    await file.DisposeAsync();
                }
            }
            catch (IOException) when (failed)
            {
                // Reported when the write failed.
            }
        }
    }

    private async Task WriteAsync(FileStream file, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        try
        {
            await write(file);
            await file.FlushAsync(cancellationToken);
        }
        catch (IOException e)
        {
            failed = true;
            throw new IOException(FileErrors.Line("cannot write", file.Name, e), e);
        }
    }

    private static FileStream? Create(string? path) =>
        string.IsNullOrEmpty(path) ? null : new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
}
