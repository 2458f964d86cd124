using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Loopback;

/// <summary>
/// A web site served in-process by Kestrel on a free loopback port, for the demos and the tests: pages
/// declared route by route, a static folder, or both. It keeps its own request log and counters — what
/// it served, what it has in flight, the most it had at once, the requests whose client went away — so
/// a demo shows, and a test asserts, what the server saw, never how long something took.
/// </summary>
public sealed class LocalSite : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, RequestDelegate> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> log = new();
    private readonly InFlightGauge inFlight = new();
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int holdAfter = int.MaxValue;
    private int arrived;
    private int requests;
    private int aborted;

    private LocalSite(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request, in arrival order, as path plus query.</summary>
    public IReadOnlyList<string> Log => [.. log];

    /// <summary>Requests that arrived since the start (or the last <see cref="ResetCounters"/>).</summary>
    public int Requests => Volatile.Read(ref requests);

    /// <summary>Requests the server is handling now.</summary>
    public int InFlight => inFlight.Current;

    /// <summary>The most requests the server had in flight at once.</summary>
    public int PeakInFlight => inFlight.Peak;

    /// <summary>Requests whose client cancelled (closed the connection) before the response was done.</summary>
    public int Aborted => Volatile.Read(ref aborted);

    /// <summary>Serves every request no route (and no file) matches; 404 when null: for URLs a test cannot list in advance.</summary>
    public RequestDelegate? Fallback { get; set; }

    /// <summary>A delay before every response (to make requests overlap).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Starts a site with no pages yet: declare them with <see cref="Map"/>, <see cref="Page"/>, <see cref="Links"/>, <see cref="Redirect"/>.</summary>
    public static Task<LocalSite> StartAsync(CancellationToken cancellationToken = default) => StartAsync(_ => { }, cancellationToken);

    /// <summary>Serves the files under <paramref name="root"/> (and any page declared too), each response after <paramref name="delay"/>.</summary>
    public static async Task<LocalSite> StartAsync(string root, TimeSpan delay, CancellationToken cancellationToken)
    {
        var site = await StartAsync(app =>
        {
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = new PhysicalFileProvider(root) });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(root), ServeUnknownFileTypes = true });
        }, cancellationToken);
        site.Delay = delay;
        return site;
    }

    /// <summary>Serves every request with <paramref name="handler"/>.</summary>
    public static async Task<LocalSite> StartAsync(RequestDelegate handler, CancellationToken cancellationToken)
    {
        var site = await StartAsync(cancellationToken);
        site.Fallback = handler;
        return site;
    }

    public Uri Url(string pathAndQuery) => new(BaseUrl, pathAndQuery);

    /// <summary>Serves <paramref name="handler"/> at <paramref name="pathAndQuery"/> (an exact path+query match wins over a path match).</summary>
    public void Map(string pathAndQuery, RequestDelegate handler) => routes[pathAndQuery] = handler;

    /// <summary>Serves <paramref name="body"/> at <paramref name="pathAndQuery"/>.</summary>
    public void Page(string pathAndQuery, string body, string contentType = "text/html; charset=utf-8", int status = 200) =>
        Map(pathAndQuery, async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });

    /// <summary>A page of links, titled with its path.</summary>
    public void Links(string path, params string[] hrefs) =>
        Page(path, Html(path, string.Concat(hrefs.Select(h => $"<a href=\"{h}\">{h}</a>\n"))));

    public void Redirect(string path, string location, int status = 302) =>
        Map(path, context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        });

    public static string Html(string title, string body) =>
        $"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head><body>{body}</body></html>";

    /// <summary>
    /// A server-side gate: every request after the first <paramref name="count"/> waits (until
    /// <see cref="ReleaseHeld"/> or the client gives up), so a crawl is surely mid-way when a test acts.
    /// </summary>
    public void HoldAfter(int count) => Volatile.Write(ref holdAfter, count);

    /// <summary>Lets the held requests, and all later ones, through.</summary>
    public void ReleaseHeld()
    {
        Volatile.Write(ref holdAfter, int.MaxValue);
        held.TrySetResult();
    }

    /// <summary>Forgets the counts so far (requests, peak, aborted), e.g. between two halves of a demo; the log stays.</summary>
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

    /// <summary>Waits (without sleeping) until the server has seen at least <paramref name="count"/> requests; throws after <paramref name="timeout"/>.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        if (!await WaitUntilAsync(site => site.Requests >= count, timeout, CancellationToken.None))
        {
            throw new TimeoutException($"the site saw {Requests} request(s), not {count}, within {timeout}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<LocalSite> StartAsync(Action<WebApplication> serveFiles, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // The default console lifetime would take Ctrl+C and SIGTERM for itself and stop the site
        // under a running crawl; the command that started the site owns the signals.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var site = new LocalSite(app);
        app.Use(site.CountAsync);
        serveFiles(app);
        app.Run(site.RouteAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return site;
    }

    /// <summary>Logs and counts every request, holds it (<see cref="HoldAfter"/>) and delays it (<see cref="Delay"/>).</summary>
    private async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        log.Enqueue(context.Request.Path.Value + context.Request.QueryString.Value);
        var ordinal = Interlocked.Increment(ref arrived);
        Interlocked.Increment(ref requests);
        inFlight.Enter();
        Signal();
        try
        {
            if (ordinal > Volatile.Read(ref holdAfter))
            {
                await held.Task.WaitAsync(context.RequestAborted);
            }
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, context.RequestAborted);
            }
            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer.
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref aborted);
            }
            inFlight.Leave();
            Signal();
        }
    }

    private Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (routes.TryGetValue(path + context.Request.QueryString.Value, out var handler) || routes.TryGetValue(path, out handler))
        {
            return handler(context);
        }
        if (Fallback is { } fallback)
        {
            return fallback(context);
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private void Signal() =>
        Interlocked.Exchange(ref changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private sealed class NoSignalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
