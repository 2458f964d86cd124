using System.Diagnostics;

namespace AsyncFetcher.Testing;

/// <summary>Runs a program other than asyncfetch (dotnet, chromium) to completion and returns what it printed.</summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="file"/>; a run that outlasts <paramref name="timeout"/> is killed and reported, never waited on for ever.</summary>
    public static async Task<CliResult> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout,
        IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not exit within {timeout}; stderr: {await stderr}");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }
}
