using System.Collections.Concurrent;
using System.Globalization;
using AsyncFetcher.Loopback;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// The programmable loopback site the demos talk to: a <see cref="LocalSite"/> (which counts requests,
/// in flight and peak) routing by path. Three routes are built in:
/// <c>/work?id=ID&amp;ms=MS&amp;hold=N&amp;after=NAME</c> answers <c>ID</c> after MS milliseconds, no sooner
/// than N requests have arrived and no sooner than the demo raised the signal NAME (so a peak or an
/// order the demo shows is something the server made sure of, not a race won);
/// <c>/hang</c> answers only when its client gives up; <c>/fail</c> answers 500 at once.
/// </summary>
internal sealed class DemoSite : IAsyncDisposable
{
    /// <summary>How long <c>hold</c> waits at most, so a client that never sends N requests still gets its answer.</summary>
    private static readonly TimeSpan HoldCap = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, RequestDelegate> routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> signals = new(StringComparer.Ordinal);
    private LocalSite server = null!;

    private DemoSite()
    {
        routes["/work"] = WorkAsync;
        routes["/hang"] = context => Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        routes["/fail"] = context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        };
    }

    /// <summary>The server's counters: requests, in flight, peak, aborted.</summary>
    public LocalSite Server => server;

    /// <summary>Called by <c>/work</c> just before it answers (after its delay, hold and signal): a demo's look at its own side at that moment.</summary>
    public Action? Answering { get; set; }

    public static async Task<DemoSite> StartAsync(CancellationToken cancellationToken)
    {
        var site = new DemoSite();
        site.server = await LocalSite.StartAsync(site.HandleAsync, cancellationToken);
        return site;
    }

    public Uri Url(string pathAndQuery) => new(server.BaseUrl, pathAndQuery);

    /// <summary>The URL of a <c>/work</c> request.</summary>
    public Uri Work(string id, TimeSpan delay, int hold = 0, string? after = null) =>
        Url(FormattableString.Invariant($"/work?id={Uri.EscapeDataString(id)}&ms={(int)delay.TotalMilliseconds}&hold={hold}&after={Uri.EscapeDataString(after ?? "")}"));

    /// <summary>Raises the signal <paramref name="name"/>: requests waiting for it may now be answered.</summary>
    public void Raise(string name) => Signal(name).TrySetResult();

    /// <summary>Waits until the demo raises <paramref name="name"/> (at most a few seconds, so a demo that never does still ends).</summary>
    public async Task WaitForAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Signal(name).Task.WaitAsync(HoldCap, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Answer anyway: a demo that forgot its signal is slow, not stuck.
        }
    }

    /// <summary>Serves <paramref name="handler"/> at <paramref name="path"/> (query strings are ignored when routing).</summary>
    public void Map(string path, RequestDelegate handler) => routes[path] = handler;

    /// <summary>Serves an HTML page whose links are <paramref name="hrefs"/>.</summary>
    public void Page(string path, params string[] hrefs) =>
        Map(path, context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            var links = string.Concat(hrefs.Select(h => $"<a href=\"{h}\">{h}</a>\n"));
            return context.Response.WriteAsync($"<!doctype html><html><head><title>{path}</title></head><body>{links}</body></html>", context.RequestAborted);
        });

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private TaskCompletionSource Signal(string name) =>
        signals.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private Task HandleAsync(HttpContext context)
    {
        if (routes.TryGetValue(context.Request.Path.Value ?? "/", out var handler))
        {
            return handler(context);
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private async Task WorkAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var ms = int.TryParse(query["ms"], CultureInfo.InvariantCulture, out var m) ? m : 0;
        var hold = int.TryParse(query["hold"], CultureInfo.InvariantCulture, out var h) ? h : 0;
        await Task.Delay(ms, context.RequestAborted);
        if (hold > 0)
        {
            await server.WaitUntilAsync(s => s.Requests >= hold, HoldCap, context.RequestAborted);
        }
        if (query["after"].ToString() is { Length: > 0 } after)
        {
            await WaitForAsync(after, context.RequestAborted);
        }
        Answering?.Invoke();
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(query["id"].ToString(), context.RequestAborted);
    }
}
