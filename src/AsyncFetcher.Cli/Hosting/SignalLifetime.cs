using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// The host's lifetime for a crawl: the first Ctrl+C (or SIGTERM) asks the host to stop, which
/// the crawl sees as its stop token and finishes gracefully; the second exits at once.
/// </summary>
internal sealed class SignalLifetime(IHostApplicationLifetime application, ILogger<SignalLifetime> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];
    private int signals;

    /// <summary>130 after SIGINT, 143 after SIGTERM; null while no signal came.</summary>
    public int? ExitCode { get; private set; }

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal));
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Cancel the default (terminate the process): the crawl owns shutdown.
        context.Cancel = true;
        if (Interlocked.Increment(ref signals) == 1)
        {
            ExitCode = context.Signal == PosixSignal.SIGTERM ? 143 : 130;
            logger.LogWarning("stopping (press Ctrl+C again to force)");
            application.StopApplication();
        }
        else
        {
            Environment.Exit(ExitCode ?? 130);
        }
    }
}
