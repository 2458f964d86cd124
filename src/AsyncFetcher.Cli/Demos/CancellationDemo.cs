using System.Diagnostics;
using AsyncFetcher.Core;
using AsyncFetcher.Core.Engine;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo cancellation</c>: <c>CancelAfter</c> as a timeout, linked tokens (and telling a timeout
/// from a user's Ctrl+C), <c>WaitAsync</c> that stops waiting but not the work, and the real engine's
/// graceful stop: what the first Ctrl+C does to a crawl.
/// </summary>
internal sealed class CancellationDemo(int timeoutMs = 200, int graceMs = 200) : IDemo
{
    public string Name => "cancellation";

    public string Summary => "CancelAfter, linked tokens, WaitAsync, and a crawl's graceful stop on Ctrl+C";

    public string Takeaway => "cancellation is a token passed down; a timeout is a token that cancels itself; WaitAsync stops the wait, not the work.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var hang = site.Url("/hang");
        var timeout = TimeSpan.FromMilliseconds(timeoutMs);

        // 1. A timeout is a token that cancels itself (asyncio.timeout / wait_for).
        var clock = Stopwatch.StartNew();
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            deadline.CancelAfter(timeout);
            try
            {
                await client.GetStringAsync(hang, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
            }
        }
        var cancelAfterMs = clock.ElapsedMilliseconds;
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"CancelAfter({timeoutMs} ms) on a request the server never answers: cancelled after {cancelAfterMs} ms; the server saw it abandoned: {site.Server.Aborted == 1}");

        // 2. Linked tokens: a per-request timeout linked to the user's token; the catch tells them apart.
        using var user = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var byTimeout = await RequestWithTimeoutAsync(client, hang, user, timeout, cancelUser: false, site);
        var byUser = await RequestWithTimeoutAsync(client, hang, user, TimeSpan.FromSeconds(30), cancelUser: true, site);
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"linked tokens: with a {timeoutMs} ms timeout the request ended by \"{byTimeout}\"; cancelled by the user it ended by \"{byUser}\"");

        // 3. WaitAsync stops the waiting, not the request: the server still has it.
        site.Server.ResetCounters();
        using var cleanup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var request = client.GetStringAsync(hang, cleanup.Token);
        var waitTimedOut = false;
        try
        {
            await request.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            waitTimedOut = true;
        }
        // Nothing cancelled the request, so it reaches the server and stays there.
        await site.Server.WaitUntilAsync(s => s.InFlight > 0, TimeSpan.FromSeconds(5), cancellationToken);
        var stillInFlight = site.Server.InFlight;
        output.WriteLine($"Task.WaitAsync({timeoutMs} ms) timed out: {waitTimedOut}; requests the server is still working on: {stillInFlight}");
        await cleanup.CancelAsync();
        await Task.WhenAny(request);
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"  cancelling its token is what stops it: {request.Status}");

        // 4. Ctrl+C in a crawl: the host cancels the engine's stop token (SignalLifetime -> ApplicationStopping).
        var engine = await GracefulStopAsync(site, output, cancellationToken);
        return new Outcome(cancelAfterMs, byTimeout, byUser, waitTimedOut, stillInFlight, engine.Records, engine.Abandoned, engine.StopToEndMs);
    }

    private static async Task<string> RequestWithTimeoutAsync(HttpClient client, Uri url, CancellationTokenSource user, TimeSpan timeout, bool cancelUser, DemoSite site)
    {
        using var perRequest = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(user.Token, perRequest.Token);
        var request = client.GetStringAsync(url, linked.Token);
        if (cancelUser)
        {
            // Like a Ctrl+C arriving while the request is at the server.
            await site.Server.WaitUntilAsync(s => s.InFlight > 0, TimeSpan.FromSeconds(5), CancellationToken.None);
            await user.CancelAsync();
        }
        try
        {
            await request;
            return "a response";
        }
        catch (OperationCanceledException) when (user.IsCancellationRequested)
        {
            return "user cancelled";
        }
        catch (OperationCanceledException) when (perRequest.IsCancellationRequested)
        {
            return "timeout";
        }
    }

    private async Task<(int Records, int Abandoned, long StopToEndMs)> GracefulStopAsync(DemoSite site, TextWriter output, CancellationToken cancellationToken)
    {
        site.Server.ResetCounters();
        site.Page("/", "/fast1", "/fast2", "/hang?1", "/hang?2", "/hang?3");
        site.Page("/fast1");
        site.Page("/fast2");
        var options = new CrawlOptions { Max = 5, Depth = 1, Retries = 0, Timeout = TimeSpan.FromSeconds(30), Grace = TimeSpan.FromMilliseconds(graceMs) };
        await using var services = DemoServices.Build(options);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var records = 0;
        var clock = new Stopwatch();
        await foreach (var _ in services.GetRequiredService<CrawlEngine>().RunAsync([site.Url("/")], stop.Token))
        {
            records++;
            if (records == 3)
            {
                // The index and the two fast pages are in; wait until the three others hang at the server.
                await site.Server.WaitUntilAsync(s => s.InFlight >= 3, TimeSpan.FromSeconds(5), cancellationToken);
                clock.Start();
                await stop.CancelAsync();
            }
        }
        var stopToEnd = clock.ElapsedMilliseconds;
        await site.Server.WaitUntilAsync(s => s.InFlight == 0, TimeSpan.FromSeconds(5), cancellationToken);
        output.WriteLine($"a crawl stopped (as by Ctrl+C) after {records} records with 3 requests hanging: the sequence ended {stopToEnd} ms later");
        output.WriteLine($"  (after the --grace of {graceMs} ms the engine cancelled them: the server saw {site.Server.Aborted} abandoned; no records for them)");
        return (records, site.Server.Aborted, stopToEnd);
    }

    internal sealed record Outcome(
        long CancelAfterMs,
        string ByTimeout,
        string ByUser,
        bool WaitAsyncTimedOut,
        int InFlightAfterWaitAsync,
        int EngineRecords,
        int EngineAbandoned,
        long StopToEndMs) : DemoResult;
}
