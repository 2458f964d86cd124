using System.Text.RegularExpressions;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>Progress from the real binary when standard error is not a terminal (here, a pipe): plain log lines.</summary>
public sealed partial class ProgressLogTests
{
    [Fact]
    public async Task Off_a_terminal_progress_is_a_log_line_every_interval_then_the_summary()
    {
        await using var site = await LocalSite.StartAsync();
        // The server holds /slow until the test has seen a progress line with it in flight: no timing involved.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        site.Links("/", "/slow");
        site.Map("/slow", async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("done", context.RequestAborted);
        });

        using var process = CliRunner.Start(["crawl", site.Url("/").AbsoluteUri, "--progress-interval", "100ms", "--timeout", "2m"]);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        string? progress = null;
        try
        {
            while (await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(", 1 page, 1 in flight,", StringComparison.Ordinal))
                {
                    progress = line;
                    break;
                }
            }
        }
        finally
        {
            release.TrySetResult();
        }
        var rest = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(0, process.ExitCode);
        Assert.NotNull(progress);
        Assert.Matches(ProgressLine(), progress);
        Assert.Equal(2, (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.DoesNotContain('\r', rest);
        Assert.Contains("asyncfetch: 2 pages in ", rest, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^asyncfetch: progress: \d+:\d\d:\d\d, 1 page, 1 in flight, 0 queued, \d+\.\d pages/s, \d+ B, 0 errors, 0 retries$")]
    private static partial Regex ProgressLine();
}
