using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// A web site served in-process by Kestrel on a free loopback port, for the demos: a static folder
/// (with a delay before every response) or a handler the caller writes. It counts what it served,
/// how many requests it has in flight, the most it had at once, and the requests whose client went away.
/// </summary>
internal sealed class LocalSite : IAsyncDisposable
{
    private readonly WebApplication app;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly InFlightGauge inFlight = new();
    private int requests;
    private int aborted;

    private LocalSite(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Requests that arrived since the start (or the last <see cref="ResetCounters"/>).</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>Requests the server is handling now.</summary>
    public int InFlight => inFlight.Current;

    /// <summary>The most requests the server had in flight at once.</summary>
    public int PeakInFlight => inFlight.Peak;

    /// <summary>Requests whose client cancelled (closed the connection) before the response was done.</summary>
    public int Aborted => Volatile.Read(ref aborted);

    /// <summary>The folder holding the bundled example site (examples/site), next to the binary.</summary>
    public static string ExampleRoot => Path.Combine(AppContext.BaseDirectory, "examples", "site");

    /// <summary>Serves the files under <paramref name="root"/>, each response after <paramref name="delay"/>.</summary>
    public static Task<LocalSite> StartAsync(string root, TimeSpan delay, CancellationToken cancellationToken) =>
        StartAsync(app =>
        {
            if (delay > TimeSpan.Zero)
            {
                app.Use(async (context, next) =>
                {
                    await Task.Delay(delay, context.RequestAborted);
                    await next(context);
                });
            }
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(root) });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root), ServeUnknownFileTypes = true });
        }, cancellationToken);

    /// <summary>Serves every request with <paramref name="handler"/>.</summary>
    public static Task<LocalSite> StartAsync(RequestDelegate handler, CancellationToken cancellationToken) =>
        StartAsync(app => app.Run(handler), cancellationToken);

    /// <summary>Forgets the counts so far (requests, peak, aborted), e.g. between two halves of a demo.</summary>
    public void ResetCounters()
    {
        Volatile.Write(ref requests, 0);
        Volatile.Write(ref aborted, 0);
        inFlight.ResetPeak();
        Signal();
    }

    /// <summary>
    /// Waits, without polling, until <paramref name="condition"/> holds (it is checked each time a request
    /// arrives or ends); false when <paramref name="timeout"/> passed first.
    /// </summary>
    public async Task<bool> WaitUntilAsync(Func<LocalSite, bool> condition, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (true)
        {
            // Take the signal before checking, so a change between the check and the await is not missed.
            var next = Volatile.Read(ref changed).Task;
            if (condition(this))
            {
                return true;
            }
            try
            {
                await next.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return condition(this);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<LocalSite> StartAsync(Action<WebApplication> configure, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The default console lifetime would take Ctrl+C and SIGTERM for itself and stop the site
        // under a running crawl; the command that started the site owns the signals.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var site = new LocalSite(app);
        app.Use(async (context, next) =>
        {
            site.Enter();
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away: nothing to answer.
            }
            finally
            {
                site.Leave(context.RequestAborted.IsCancellationRequested);
            }
        });
        configure(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return site;
    }

    private void Enter()
    {
        Interlocked.Increment(ref requests);
        inFlight.Enter();
        Signal();
    }

    private void Leave(bool clientWentAway)
    {
        if (clientWentAway)
        {
            Interlocked.Increment(ref aborted);
        }
        inFlight.Leave();
        Signal();
    }

    private void Signal() =>
        Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
