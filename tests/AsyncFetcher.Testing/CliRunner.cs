using System.Diagnostics;
using System.Text;

namespace AsyncFetcher.Testing;

/// <summary>
/// Runs the real asyncfetch binary as a user would. CI publishes it once and names it in
/// ASYNCFETCH_BIN; otherwise the build output next to the tests (asyncfetch.dll) is run with dotnet.
/// </summary>
public static class CliRunner
{
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null,
        string? standardInput = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        using var process = new Process { StartInfo = StartInfo(args, environment, workingDirectory) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"asyncfetch {string.Join(' ', args)} did not exit; stderr: {stderr}");
        }
        process.WaitForExit();
        return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A started process with redirected output, for tests that signal it mid-run.</summary>
    public static Process Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var process = new Process { StartInfo = StartInfo(args, environment, workingDirectory) };
        process.Start();
        return process;
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory)
    {
        var published = Environment.GetEnvironmentVariable("ASYNCFETCH_BIN");
        var info = !string.IsNullOrEmpty(published)
            ? new ProcessStartInfo(published)
            : new ProcessStartInfo("dotnet") { ArgumentList = { Path.Combine(AppContext.BaseDirectory, "asyncfetch.dll") } };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        info.WorkingDirectory = workingDirectory ?? Path.GetTempPath();
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("ASYNCFETCH_", StringComparison.Ordinal) && k != "ASYNCFETCH_BIN").ToList())
        {
            info.Environment.Remove(key);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        return info;
    }
}

/// <summary>What a run of the binary left: exit code, standard output, standard error.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
