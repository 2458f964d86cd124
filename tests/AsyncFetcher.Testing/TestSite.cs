using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Testing;

/// <summary>
/// A web site on a free loopback port, served in-process by Kestrel, whose pages a test declares.
/// It keeps its own request log and in-flight counters, so tests assert what the server saw,
/// never how long something took.
/// </summary>
public sealed class TestSite : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> log = new();
    private readonly SemaphoreSlim requestSignal = new(0);
    private readonly TaskCompletionSource held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int holdAfter = int.MaxValue;
    private int requests;
    private int inFlight;
    private int peak;

    private TestSite(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every request, in arrival order, as path plus query.</summary>
    public IReadOnlyList<string> Log => [.. log];

    public int PeakInFlight => Volatile.Read(ref peak);

    public int InFlight => Volatile.Read(ref inFlight);

    /// <summary>Serves every request no route matches (404 when null): for URLs a test cannot list in advance.</summary>
    public Func<HttpContext, Task>? Fallback { get; set; }

    /// <summary>A delay before every response (to make requests overlap).</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<TestSite> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var site = new TestSite(app);
        app.Run(site.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        site.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return site;
    }

    public Uri Url(string pathAndQuery) => new(BaseUrl, pathAndQuery);

    /// <summary>
    /// A server-side gate: every request after the first <paramref name="requests"/> waits (until
    /// <see cref="ReleaseHeld"/> or the client gives up), so a crawl is surely mid-way when a test acts.
    /// </summary>
    public void HoldAfter(int requests) => Volatile.Write(ref holdAfter, requests);

    /// <summary>Lets the held requests, and all later ones, through.</summary>
    public void ReleaseHeld()
    {
        Volatile.Write(ref holdAfter, int.MaxValue);
        held.TrySetResult();
    }

    /// <summary>Serves <paramref name="body"/> at <paramref name="pathAndQuery"/> (an exact path+query match wins over a path match).</summary>
    public void Page(string pathAndQuery, string body, string contentType = "text/html; charset=utf-8", int status = 200) =>
        Map(pathAndQuery, async context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync(body, context.RequestAborted);
        });

    /// <summary>A page of links, with a title.</summary>
    public void Links(string path, params string[] hrefs) =>
        Page(path, Html(path, string.Concat(hrefs.Select(h => $"<a href=\"{h}\">{h}</a>\n"))));

    public void Redirect(string path, string location, int status = 302) =>
        Map(path, context =>
        {
            context.Response.StatusCode = status;
            context.Response.Headers.Location = location;
            return Task.CompletedTask;
        });

    public void Map(string pathAndQuery, Func<HttpContext, Task> handler) => routes[pathAndQuery] = handler;

    /// <summary>A synthetic site like ../shared/benchsite/gensite.py: page i links to i+1 (a ring) and to k-1 pseudo-random pages.</summary>
    public void Synthetic(int pages, int links, int seed = 7)
    {
        var random = new Random(seed);
        for (var i = 0; i < pages; i++)
        {
            var targets = new List<string> { $"/p/{(i + 1) % pages}.html" };
            for (var j = 1; j < links; j++)
            {
                targets.Add($"/p/{random.Next(pages)}.html");
            }
            Links($"/p/{i}.html", [.. targets]);
        }
        Links("/index.html", "/p/0.html");
    }

    public static string Html(string title, string body) =>
        $"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head><body>{body}</body></html>";

    /// <summary>Waits (without sleeping) until the server has seen at least <paramref name="count"/> requests.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (log.Count < count)
        {
            await requestSignal.WaitAsync(cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        requestSignal.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var key = context.Request.Path.Value + context.Request.QueryString.Value;
        log.Enqueue(key);
        var ordinal = Interlocked.Increment(ref requests);
        var now = Interlocked.Increment(ref inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
        {
        }
        requestSignal.Release();
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
            if (routes.TryGetValue(key, out var handler) || routes.TryGetValue(context.Request.Path.Value ?? "/", out handler))
            {
                await handler(context);
            }
            else if (Fallback is { } fallback)
            {
                await fallback(context);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref inFlight);
        }
    }
}
