using System.ComponentModel;
using System.Diagnostics;

namespace AsyncFetcher.Testing;

/// <summary>
/// A real redis-server on loopback for the distributed-crawl tests. <see cref="SharedAsync"/> is the one
/// .ci/run starts (ASYNCFETCH_TEST_REDIS=127.0.0.1:PORT), else one this test process starts on a free port;
/// <see cref="StartAsync"/> starts a private one a test may stop and restart. With neither the variable nor
/// redis-server on the PATH, a test fails: a distributed test that silently skips proves nothing.
/// Tests share a server by using a fresh crawl id each.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly Lazy<Task<RedisServer>> Shared = new(StartSharedAsync);
    private readonly string? directory;
    private readonly bool persistent;
    private Process? process;

    private RedisServer(string host, int port, string? directory, bool persistent)
    {
        Host = host;
        Port = port;
        this.directory = directory;
        this.persistent = persistent;
    }

    public string Host { get; }

    public int Port { get; }

    /// <summary>The address as asyncfetch takes it: <c>redis://127.0.0.1:PORT/0</c>.</summary>
    public string Address => $"redis://{Host}:{Port}/0";

    public static Task<RedisServer> SharedAsync() => Shared.Value;

    /// <summary>A new crawl id, so tests sharing a server never see each other's keys.</summary>
    public static string NewCrawlId(string name) => $"{name}-{Guid.NewGuid():N}";

    /// <summary>Starts a private redis-server; <paramref name="persistent"/> turns on the append-only file with fsync on every write, so a restart loses nothing.</summary>
    public static async Task<RedisServer> StartAsync(bool persistent = false)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // A free port can be taken between asking and binding; then try another.
            var server = new RedisServer("127.0.0.1", LoopbackPort.Free(), Directory.CreateTempSubdirectory("asyncfetch-redis-").FullName, persistent);
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (IOException e)
            {
                last = e;
                await server.DisposeAsync();
            }
        }
        throw new InvalidOperationException("could not start redis-server on a free port", last);
    }

    /// <summary>Kills the server at once, as a crash would (the append-only file keeps what it was told).</summary>
    public async Task StopAsync()
    {
        if (process is { } running)
        {
            running.Kill();
            await running.WaitForExitAsync();
            running.Dispose();
            process = null;
        }
    }

    /// <summary>Starts the server (again) on its port, with its data folder; returns once it accepts connections.</summary>
    public async Task RestartAsync()
    {
        if (directory is null)
        {
            throw new InvalidOperationException("the shared server from ASYNCFETCH_TEST_REDIS is not this test's to restart");
        }
        var info = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            ArgumentList =
            {
                "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
                "--save", "", "--appendonly", persistent ? "yes" : "no", "--appendfsync", "always", "--daemonize", "no",
            },
        };
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        var started = new Process { StartInfo = info, EnableRaisingEvents = true };
        started.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new IOException($"redis-server exited before it was ready: {output}"));
                return;
            }
            lock (output)
            {
                output.AppendLine(e.Data);
            }
            if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        try
        {
            started.Start();
        }
        catch (Win32Exception e)
        {
            started.Dispose();
            throw new InvalidOperationException("redis-server is not installed and ASYNCFETCH_TEST_REDIS is not set: install it (apt-get install redis-server) to run the distributed tests", e);
        }
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process = started;
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (directory is not null)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<RedisServer> StartSharedAsync()
    {
        var given = Environment.GetEnvironmentVariable("ASYNCFETCH_TEST_REDIS");
        if (!string.IsNullOrEmpty(given))
        {
            var colon = given.LastIndexOf(':');
            return new RedisServer(given[..colon], int.Parse(given[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture), null, persistent: false);
        }
        var server = await StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            server.process?.Kill();
            server.process?.WaitForExit();
            Directory.Delete(server.directory!, recursive: true);
        };
        return server;
    }
}
