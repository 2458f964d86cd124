using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo async-disposal</c>: a streamed response holds its connection until it is disposed
/// (<c>async with session.get(...)</c> / <c>using var response</c>). With one connection per server,
/// a response left undisposed stalls the next request; disposed, all three share one connection.
/// </summary>
internal sealed class AsyncDisposalDemo(int stallMs = 300) : IDemo
{
    public string Name => "async-disposal";

    public string Summary => "Undisposed responses hold their connection; using/await using gives it back";

    public string Takeaway => "dispose what holds a connection (using, await using), or the next request waits for it.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        var connections = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        site.Map("/body", context =>
        {
            connections[context.Connection.Id] = true;
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync(new string('x', 64 * 1024), context.RequestAborted);
        });
        var url = site.Url("/body");
        output.WriteLine("an HttpClient allowed one connection to the server; three GETs that stream the body (ResponseHeadersRead)");

        // 1. Not disposed: the first response keeps the only connection, so the second request cannot start.
        var leaked = new List<HttpResponseMessage>();
        var leakyCompleted = 0;
        var stalled = false;
        using (var client = OneConnectionClient())
        {
            // The first response comes; it is neither read nor disposed, so it keeps the connection.
            leaked.Add(await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken));
            leakyCompleted++;
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(stallMs);
            try
            {
                leaked.Add(await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, wait.Token));
                leakyCompleted++;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                stalled = true;
            }
            output.WriteLine($"not disposed: {leakyCompleted} response, then request {leakyCompleted + 1} waited {stallMs} ms for a connection and gave up; server requests: {site.Server.Requests}");
            foreach (var response in leaked)
            {
                response.Dispose();
            }
        }

        // 2. Disposed at the end of each iteration: the connection goes back to the pool and is reused.
        site.Server.ResetCounters();
        connections.Clear();
        var disposedCompleted = 0;
        using (var client = OneConnectionClient())
        {
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                await body.CopyToAsync(Stream.Null, cancellationToken);
                disposedCompleted++;
            }
        }
        output.WriteLine($"disposed (using + await using): {disposedCompleted} responses over {connections.Count} connection; server requests: {site.Server.Requests}");
        return new Outcome(leakyCompleted, stalled, disposedCompleted, connections.Count);
    }

    private static HttpClient OneConnectionClient() => new(new SocketsHttpHandler { MaxConnectionsPerServer = 1 });

    internal sealed record Outcome(int LeakyCompleted, bool LeakyStalled, int DisposedCompleted, int DisposedConnections) : DemoResult;
}
