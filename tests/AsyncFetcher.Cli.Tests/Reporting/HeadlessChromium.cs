using System.Diagnostics;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>
/// Debian's Chromium, headless, to see a page as a browser does: the DOM after its scripts ran.
/// CI installs it (.ci/run); without it the test fails and says so, rather than passing unseen.
/// </summary>
internal static class HeadlessChromium
{
    public static string Path => Environment.GetEnvironmentVariable("ASYNCFETCH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The serialised DOM of <paramref name="file"/> once it has loaded and its scripts have run.</summary>
    public static async Task<string> DumpDomAsync(string file)
    {
        Assert.True(File.Exists(Path),
            $"Chromium is not installed at {Path}: install the Debian package 'chromium' (apt-get install chromium; .ci/run does) or set ASYNCFETCH_CHROMIUM.");
        var profile = Directory.CreateTempSubdirectory("asyncfetch-chromium-").FullName;
        try
        {
            var info = new ProcessStartInfo(Path)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", $"--user-data-dir={profile}", "--dump-dom",
                new Uri(System.IO.Path.GetFullPath(file)).AbsoluteUri,
            })
            {
                info.ArgumentList.Add(arg);
            }
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not exit; stderr: {await stderr}");
            }
            var dom = await stdout;
            Assert.True(process.ExitCode == 0 && dom.Length > 0, $"chromium exited {process.ExitCode}: {await stderr}");
            return dom;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
