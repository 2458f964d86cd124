using System.Runtime.InteropServices;
using AsyncFetcher.Cli.Commands;
using AsyncFetcher.Cli.Reporting;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// The host's lifetime for a crawl: the first Ctrl+C (or SIGTERM) asks the host to stop, which the crawl
/// sees as its stop token and finishes gracefully, and says what it waits for; the second exits at once,
/// and says what was abandoned and how it is fetched again.
/// </summary>
internal sealed class SignalLifetime(IHostApplicationLifetime application, IOptions<CrawlOptions> options, ILogger<SignalLifetime> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];
    private Func<CrawlStats>? stats;
    private int signals;

    /// <summary>130 after SIGINT, 143 after SIGTERM; null while no signal came.</summary>
    public int? ExitCode { get; private set; }

    /// <summary>The crawl's live counters: what the lines on a signal count (requests in flight).</summary>
    public void Watch(Func<CrawlStats> crawlStats) => stats = crawlStats;

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
        var inFlight = stats?.Invoke().InFlight ?? 0;
        if (Interlocked.Increment(ref signals) == 1)
        {
            ExitCode = context.Signal == PosixSignal.SIGTERM ? ExitCodes.Terminated : ExitCodes.Interrupted;
            logger.LogWarning("{Stopping}", Stopping(inFlight, options.Value));
            application.StopApplication();
        }
        else
        {
            logger.LogWarning("{Abandoned}", Abandoned(inFlight, options.Value));
            Environment.Exit(ExitCode ?? ExitCodes.Interrupted);
        }
    }

    /// <summary>What a first signal waits for: "stopping: waiting up to 5s for 10 requests in flight; press Ctrl+C again to stop at once".</summary>
    internal static string Stopping(long inFlight, CrawlOptions options)
    {
        const string again = "press Ctrl+C again to stop at once";
        if (inFlight == 0)
        {
            return $"stopping; {again}";
        }
        var requests = Requests(inFlight);
        return options.Grace > TimeSpan.Zero
            ? $"stopping: waiting up to {Units.FormatDuration(options.Grace)} for {requests} in flight; {again}"
            : $"stopping: cancelling {requests} in flight";
    }

    /// <summary>What a second signal leaves behind, and how it is fetched again.</summary>
    internal static string Abandoned(long inFlight, CrawlOptions options)
    {
        var again = (options.State, options.Frontier) switch
        {
            ({ Length: > 0 } state, _) => $"they are fetched again when the same command runs again; the state is in {state}",
            (_, { Length: > 0 }) => $"their leases expire after --lease ({Units.FormatDuration(options.Lease)}) and another worker fetches them",
            _ => "without --state a new run starts over",
        };
        return $"stopped at once: {Requests(inFlight)} in flight abandoned; {again}";
    }

    private static string Requests(long count) => Counted.Of(count, "request", "requests");
}
