using System.Diagnostics;

namespace AsyncFetcher.Testing;

/// <summary>
/// Runs the real asyncfetch binary as a user would. CI publishes it once and names it in
/// ASYNCFETCH_BIN; otherwise the build output next to the tests (asyncfetch.dll) is run with dotnet.
/// </summary>
public static class CliRunner
{
    /// <summary>
    /// Runs the binary to its exit (killed after <paramref name="timeout"/>, 2 minutes by default); with
    /// <paramref name="wrapper"/>, through that command (<see cref="MountNamespace"/>), which runs it as its last arguments.
    /// </summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null,
        string? standardInput = null, string? workingDirectory = null, TimeSpan? timeout = null, IReadOnlyList<string>? wrapper = null)
    {
        using var running = RunningCli.Start(args, environment, workingDirectory, standardInput, wrapper);
        return await running.WaitForExitAsync(timeout ?? TimeSpan.FromMinutes(2));
    }

    /// <summary>A started process with redirected output, for tests that signal it mid-run.</summary>
    public static Process Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null,
        IReadOnlyList<string>? wrapper = null)
    {
        var process = new Process { StartInfo = StartInfo(args, environment, workingDirectory, wrapper) };
        process.Start();
        return process;
    }

    /// <summary>The program and leading arguments that run the binary, for a test that must start it from a script (in a network namespace).</summary>
    public static IReadOnlyList<string> Command()
    {
        var published = Environment.GetEnvironmentVariable("ASYNCFETCH_BIN");
        return !string.IsNullOrEmpty(published) ? [published] : ["dotnet", Path.Combine(AppContext.BaseDirectory, "asyncfetch.dll")];
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory,
        IReadOnlyList<string>? wrapper)
    {
        string[] line = [.. wrapper ?? [], .. Command()];
        var info = new ProcessStartInfo(line[0]);
        foreach (var arg in line.Skip(1).Concat(args))
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
