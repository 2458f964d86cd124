using System.Diagnostics;
using System.Text;

namespace AsyncFetcher.Testing;

/// <summary>
/// The real binary running in the background (<see cref="CliRunner.Start"/>), for tests that act on it
/// mid-run: wait for a line on its standard error, interrupt it as Ctrl+C does, or kill it as kill -9 does.
/// </summary>
public sealed class CliProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> watches = [];

    private CliProcess(Process process) => this.process = process;

    public int Id => process.Id;

    public string Stdout
    {
        get
        {
            lock (stdout)
            {
                return stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (stderr)
            {
                return stderr.ToString();
            }
        }
    }

    public static CliProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var started = Begin(args, environment, null);
        started.process.StandardInput.Close();
        return started;
    }

    /// <summary>Starts the binary, writes <paramref name="standardInput"/> (if any) to it, and closes its standard input.</summary>
    public static async Task<CliProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? environment, string? standardInput, string? workingDirectory)
    {
        var started = Begin(args, environment, workingDirectory);
        if (standardInput is not null)
        {
            await started.process.StandardInput.WriteAsync(standardInput);
        }
        started.process.StandardInput.Close();
        return started;
    }

    private static CliProcess Begin(IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory)
    {
        var process = CliRunner.Start(args, environment, workingDirectory);
        var started = new CliProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (started.stdout)
                {
                    started.stdout.AppendLine(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) => started.OnStderr(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Completes once a line on standard error contains <paramref name="text"/>.</summary>
    public Task WaitForStderrAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (stderr)
        {
            if (stderr.ToString().Contains(text, StringComparison.Ordinal))
            {
                return Task.CompletedTask;
            }
            watches.Add((text, seen));
        }
        return seen.Task.WaitAsync(timeout);
    }

    /// <summary>The exit code; a process still running after <paramref name="timeout"/> is killed and the test fails with its standard error.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"asyncfetch {string.Join(' ', process.StartInfo.ArgumentList)} did not exit; stderr: {Stderr}");
        }
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>SIGINT, as Ctrl+C sends.</summary>
    public void Interrupt()
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL, as kill -9 sends: nothing is cleaned up.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (stderr)
        {
            stderr.AppendLine(line);
            foreach (var (text, seen) in watches)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }
        }
    }
}
