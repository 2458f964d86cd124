using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Reporting;

/// <summary>
/// Debian's Chromium, headless, to see a page as a browser does: the DOM after its scripts ran.
/// CI installs it (.ci/run); without it the test fails and says so, rather than passing unseen.
/// </summary>
internal static class HeadlessChromium
{
    public static string Executable => Environment.GetEnvironmentVariable("ASYNCFETCH_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The serialised DOM of <paramref name="file"/> once it has loaded and its scripts have run.</summary>
    public static async Task<string> DumpDomAsync(string file)
    {
        Assert.True(File.Exists(Executable),
            $"Chromium is not installed at {Executable}: install the Debian package 'chromium' (apt-get install chromium; .ci/run does) or set ASYNCFETCH_CHROMIUM.");
        using var profile = new TempDirectory("chromium");
        string[] args =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", $"--user-data-dir={profile.Path}", "--dump-dom",
            new Uri(Path.GetFullPath(file)).AbsoluteUri,
        ];
        var run = await ProcessRunner.RunAsync(Executable, args, profile.Path, TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0 && run.Stdout.Length > 0, $"chromium exited {run.ExitCode}: {run.Stderr}");
        return run.Stdout;
    }
}
