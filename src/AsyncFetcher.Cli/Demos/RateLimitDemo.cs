using System.Diagnostics;
using System.Threading.RateLimiting;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo rate-limit</c>: "how many at once" is a semaphore, "how many per second" is a rate limiter
/// (<see cref="TokenBucketRateLimiter"/>, from System.Threading.RateLimiting). The same requests go through
/// each, then through both, and the server counts the most it had at once while the limiter counts what it let
/// through per period.
/// </summary>
internal sealed class RateLimitDemo(int requests = 12, int perPeriod = 3, int periodMs = 250, int serverMs = 100) : IDemo
{
    public string Name => "rate-limit";

    public string Summary => "SemaphoreSlim (how many at once) beside a token bucket (how many per second), and both";

    public string Takeaway => "a semaphore bounds how many at once, a token bucket how many per second: a slow server piles up a rate, a fast one outruns a semaphore.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var perSecond = perPeriod * 1000.0 / periodMs;
        output.WriteLine($"{requests} requests started at once; the server takes {serverMs} ms over each");

        using var semaphore = new SemaphoreSlim(perPeriod, perPeriod);
        var bySemaphore = await SendAsync(client, site, semaphore, limiter: null, holdAll: false, cancellationToken);
        output.WriteLine($"  SemaphoreSlim({perPeriod}):           at once {bySemaphore.Peak,2}, {bySemaphore.Rate,5:F1} per second (only the server's speed bounds the rate)");

        // The server answers only once all of them arrived: a slow server, and nothing stops them piling up.
        using (var bucket = NewBucket())
        {
            var byBucket = await SendAsync(client, site, semaphore: null, bucket, holdAll: true, cancellationToken);
            output.WriteLine($"  token bucket, {perPeriod} per {periodMs} ms: at once {byBucket.Peak,2}, {Describe(byBucket)}");
            using var both = NewBucket();
            var byBoth = await SendAsync(client, site, semaphore, both, holdAll: false, cancellationToken);
            output.WriteLine($"  both:                      at once {byBoth.Peak,2}, {Describe(byBoth)}");
            output.WriteLine($"(at most {perSecond:F0} per second: {perPeriod} tokens, {perPeriod} more every {periodMs} ms; a token is spent, not given back like a semaphore's slot)");
            return new Outcome(requests, perPeriod, bySemaphore.Peak, byBucket.Peak, byBucket.Periods, byBucket.Replenishments, byBucket.Granted, byBoth.Peak, byBoth.Replenishments, byBoth.Granted);
        }
    }

    /// <summary>
    /// A token bucket of <c>perPeriod</c> tokens, refilled by <see cref="SendAsync"/>'s own timer
    /// (AutoReplenishment off, so it can count what each period let through; with it on, an internal timer
    /// does the same every ReplenishmentPeriod). The 1 ms ReplenishmentPeriod only stops two refills within 1 ms.
    /// </summary>
    private TokenBucketRateLimiter NewBucket() => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perPeriod,
        TokensPerPeriod = perPeriod,
        ReplenishmentPeriod = TimeSpan.FromMilliseconds(1),
        AutoReplenishment = false,
        QueueLimit = requests,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private static string Describe(Line line) =>
        $"{line.Rate,5:F1} per second; let through per period: {string.Join(" ", line.Periods)}";

    private async Task<Line> SendAsync(HttpClient client, DemoSite site, SemaphoreSlim? semaphore, TokenBucketRateLimiter? limiter, bool holdAll, CancellationToken cancellationToken)
    {
        site.Server.ResetCounters();
        using var stopTicking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var periods = new List<long>();
        var ticker = limiter is null ? Task.FromResult(0) : ReplenishAsync(limiter, periods, stopTicking.Token);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, requests).Select(async i =>
        {
            // How many per second: wait for a token. It is spent: disposing the lease gives nothing back.
            using var lease = limiter is null ? null : await limiter.AcquireAsync(1, cancellationToken);
            if (lease is { IsAcquired: false })
            {
                throw new InvalidOperationException("the limiter's queue was full");
            }
            // How many at once: wait for a slot, and give it back when done.
            if (semaphore is not null)
            {
                await semaphore.WaitAsync(cancellationToken);
            }
            try
            {
                await client.GetStringAsync(site.Work($"{i}", TimeSpan.FromMilliseconds(serverMs), hold: holdAll ? requests : 0), cancellationToken);
            }
            finally
            {
                semaphore?.Release();
            }
        }));
        var elapsed = clock.Elapsed;
        await stopTicking.CancelAsync();
        var replenishments = await ticker;
        var granted = limiter?.GetStatistics()?.TotalSuccessfulLeases ?? requests;
        if (limiter is not null && granted > periods.Sum())
        {
            periods.Add(granted - periods.Sum());
        }
        return new Line(site.Server.PeakInFlight, requests / elapsed.TotalSeconds, periods, replenishments, granted);
    }

    /// <summary>
    /// Refills the bucket once a period, noting what the period before let through, until every request had its
    /// token; returns how many refills it made.
    /// </summary>
    private async Task<int> ReplenishAsync(TokenBucketRateLimiter limiter, List<long> periods, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(periodMs));
        var refills = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var granted = limiter.GetStatistics()!.TotalSuccessfulLeases;
                periods.Add(granted - periods.Sum());
                if (granted >= requests)
                {
                    break;
                }
                limiter.TryReplenish();
                refills++;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        return refills;
    }

    /// <summary>One way of sending: the server's peak in flight, requests per second, what each period let through, refills, leases granted.</summary>
    private sealed record Line(int Peak, double Rate, IReadOnlyList<long> Periods, int Replenishments, long Granted);

    internal sealed record Outcome(
        int Requests,
        int PerPeriod,
        int SemaphorePeak,
        int BucketPeak,
        IReadOnlyList<long> BucketPeriods,
        int BucketReplenishments,
        long BucketGranted,
        int BothPeak,
        int BothReplenishments,
        long BothGranted) : DemoResult;
}
