using System.Diagnostics;
using System.Text;

namespace AsyncFetcher.Testing;

/// <summary>
/// The real binary, started and left running, for tests that act on it mid-run: wait for a line
/// on standard error, send it a signal as a terminal or a service manager would, wait for its exit.
/// </summary>
public sealed class RunningCli : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly List<(StringBuilder Stream, string Text, TaskCompletionSource Seen)> awaited = [];

    private RunningCli(IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory, string? standardInput, IReadOnlyList<string>? wrapper)
    {
        process = CliRunner.Start(args, environment, workingDirectory, wrapper);
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
        }
        process.StandardInput.Close();
    }

    public static RunningCli Start(params string[] args) => new(args, null, null, null, null);

    /// <summary>
    /// Starts the binary with its environment, folder and standard input (closed after <paramref name="standardInput"/>),
    /// through <paramref name="wrapper"/> if given (<see cref="CliRunner.RunAsync"/>).
    /// </summary>
    public static RunningCli Start(IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory, string? standardInput,
        IReadOnlyList<string>? wrapper = null) =>
        new(args, environment, workingDirectory, standardInput, wrapper);

    /// <summary>Sends a signal (INT, TERM) with kill(1), as Ctrl+C or a service manager would.</summary>
    public async Task SignalAsync(string signal)
    {
        var kill = await ProcessRunner.RunAsync("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Path.GetTempPath(), TimeSpan.FromMinutes(1));
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} failed: {kill.Stderr}");
        }
    }

    /// <summary>kill -9: the process dies at once, no handler runs.</summary>
    public void KillHard() => process.Kill();

    /// <summary>Waits until standard error has a line containing <paramref name="text"/>.</summary>
    public Task WaitForStderrAsync(string text, TimeSpan timeout) => WaitForAsync(stderr, text, timeout);

    /// <summary>Waits until standard output has a line containing <paramref name="text"/>.</summary>
    public Task WaitForStdoutAsync(string text, TimeSpan timeout) => WaitForAsync(stdout, text, timeout);

    /// <summary>Waits for the exit; what it left, as <see cref="CliRunner.RunAsync"/> returns it.</summary>
    public async Task<CliResult> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"asyncfetch did not exit in {timeout}; stderr: {Text(stderr)}");
        }
        process.WaitForExit();
        return new CliResult(process.ExitCode, Text(stdout), Text(stderr));
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }
        process.Dispose();
    }

    private async Task WaitForAsync(StringBuilder stream, string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (stderr)
        {
            if (stream.ToString().Contains(text, StringComparison.Ordinal))
            {
                return;
            }
            awaited.Add((stream, text, seen));
        }
        await seen.Task.WaitAsync(timeout);
    }

    private void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }
        // One lock (stderr's) guards both streams and the waiters.
        lock (stderr)
        {
            builder.AppendLine(line);
            foreach (var (_, _, seen) in awaited.Where(a => ReferenceEquals(a.Stream, builder) && line.Contains(a.Text, StringComparison.Ordinal)))
            {
                seen.TrySetResult();
            }
        }
    }

    private string Text(StringBuilder builder)
    {
        lock (stderr)
        {
            return builder.ToString();
        }
    }
}
