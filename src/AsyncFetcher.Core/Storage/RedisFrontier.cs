using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// A frontier in Redis, shared by every worker of a crawl (<c>--frontier redis://... --crawl-id ...</c>).
/// Taking is a lease (<see cref="RedisScripts.Take"/>): the URL stays in Redis, owned by this worker, until
/// it is completed or released; the heartbeat renews it while this worker lives, and once it expires the
/// next take puts it back in the queue. So a killed worker loses nothing, and only what it had in flight is
/// fetched twice. The engine's loop calls it one call at a time; the heartbeat and the channel listener
/// run beside it, so what this worker holds is kept under a lock.
/// </summary>
internal sealed class RedisFrontier : IFrontier
{
    private readonly RedisCrawl redis;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly RedisKeys keys;
    private readonly HashSet<string> held = new(StringComparer.Ordinal);
    private TaskCompletionSource changedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool changed;
    private long untilExpiryMs;

    public RedisFrontier(RedisCrawl redis, TimeProvider time, ILogger<RedisFrontier> logger)
    {
        this.redis = redis;
        this.time = time;
        this.logger = logger;
        keys = redis.Keys;
        redis.Listen(OnMessage);
        redis.OnHeartbeat(RenewAsync);
    }

    /// <summary>A take was cancelled while Redis ran it: it may have leased a batch this worker never saw.</summary>
    private bool takeCut;

    public string Worker => redis.Worker;

    /// <summary>Leases this worker holds now.</summary>
    public int Held
    {
        get
        {
            lock (held)
            {
                return held.Count;
            }
        }
    }

    /// <summary>A shared crawl keeps no checkpoint: each worker writes its own output from the start, and --state is not allowed with --frontier.</summary>
    public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken) => ValueTask.FromResult(CrawlCheckpoint.Empty);

    public async ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        var added = await redis.EvaluateAsync(RedisScripts.Add, [keys.Seen, keys.Queue], [keys.Channel.ToString(), FrontierEntry.Encode(request)], cancellationToken).ConfigureAwait(false);
        return (long)added == 1;
    }

    public async ValueTask AddAsync(IReadOnlyList<CrawlRequest> requests, CancellationToken cancellationToken)
    {
        var values = new RedisValue[1 + requests.Count];
        values[0] = keys.Channel.ToString();
        for (var i = 0; i < requests.Count; i++)
        {
            values[1 + i] = FrontierEntry.Encode(requests[i]);
        }
        await redis.EvaluateAsync(RedisScripts.Add, [keys.Seen, keys.Queue], values, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken)
    {
        var fresh = await redis.EvaluateAsync(RedisScripts.MarkSeen, [keys.Seen, keys.Hops, keys.Done], [hop.Key, hop.Origin.Key], cancellationToken).ConfigureAwait(false);
        return (long)fresh == 1;
    }

    public async ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
    {
        // Messages before this take are stale: the take sees their effect. Any later one is a reason to take again.
        changed = false;
        RedisResult result;
        try
        {
            result = await redis.EvaluateAsync(RedisScripts.Take, [keys.Epoch, keys.Queue, keys.Leases, keys.Taken, keys.Owners],
                [RedisValue.Null, max, redis.LeaseMs, redis.Worker, keys.Channel.ToString()], cancellationToken, epochFirst: true).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Redis may have leased the batch before the stop cut the wait: the worker gives back all it owns when it ends.
            takeCut = true;
            throw;
        }
        if (result.Resp2Type == ResultType.Integer)
        {
            untilExpiryMs = (long)result;
            return [];
        }
        var batch = new List<CrawlRequest>();
        foreach (var entry in (string[])result!)
        {
            lock (held)
            {
                if (!held.Add(FrontierEntry.KeyOf(entry)))
                {
                    // Ours already: our lease ran out during a Redis outage and came back to us. We still have it in hand.
                    continue;
                }
            }
            batch.Add(FrontierEntry.Decode(entry));
        }
        return batch;
    }

    public ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken) =>
        CompleteAsync(done, [], checkpoint, cancellationToken);

    public async ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, IReadOnlyList<CrawlRequest> failed, CrawlCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var values = new RedisValue[3 + done.Count + failed.Count];
        values[1] = keys.Channel.ToString();
        values[2] = done.Count;
        for (var i = 0; i < done.Count; i++)
        {
            values[3 + i] = done[i].Key;
            Forget(done[i].Key);
        }
        for (var i = 0; i < failed.Count; i++)
        {
            values[3 + done.Count + i] = failed[i].Key;
        }
        await redis.EvaluateAsync(RedisScripts.Complete, [keys.Epoch, keys.Queue, keys.Leases, keys.Taken, keys.Owners, keys.Done, keys.Failed], values, cancellationToken, epochFirst: true).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        Forget(request.Key);
        await redis.EvaluateAsync(RedisScripts.Release, [keys.Queue, keys.Leases, keys.Taken, keys.Owners], [keys.Channel.ToString(), request.Key, redis.Worker], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts the page against the crawl-wide --max-pages in Redis (<see cref="RedisScripts.CountPage"/>): exact over every worker.</summary>
    public async ValueTask<bool> CountPageAsync(CrawlRequest page, long cap, CancellationToken cancellationToken)
    {
        var counted = await redis.EvaluateAsync(RedisScripts.CountPage, [keys.Pages], [page.Key, cap], cancellationToken).ConfigureAwait(false);
        return (long)counted == 1;
    }

    public async ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        if (untilExpiryMs < 0)
        {
            return true;
        }
        var signal = Volatile.Read(ref changedSignal);
        if (changed)
        {
            return false;
        }
        try
        {
            // Woken by a message (work queued, the crawl finished, Redis reconnected), else when the first lease expires.
            await signal.Task.WaitAsync(TimeSpan.FromMilliseconds(untilExpiryMs + 1), time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        string[] left;
        lock (held)
        {
            left = [.. held];
        }
        if (left.Length == 0 && !takeCut)
        {
            return;
        }
        // Normally the engine released or completed everything; after a failure, or a take the stop cut short, give
        // back all this worker owns, briefly: if Redis is out of reach the leases expire by themselves. Only a cut
        // take (most often against a Redis that does not answer) gets a second, so a stop stays prompt.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(left.Length > 0 ? 5 : 1), time);
        try
        {
            await redis.EvaluateAsync(RedisScripts.ReleaseOwned, [keys.Queue, keys.Leases, keys.Taken, keys.Owners], [keys.Channel.ToString(), redis.Worker], timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("{Count} lease(s) not released; they expire after --lease", left.Length);
        }
        catch (FrontierFailedException)
        {
            // Redis is out of reach, or lost the crawl: the crawl ended with that line already; the leases expire by themselves.
        }
    }

    /// <summary>Stops renewing a lease: it is being completed or released.</summary>
    private void Forget(string key)
    {
        lock (held)
        {
            held.Remove(key);
        }
    }

    private void OnMessage(string message)
    {
        if (message.StartsWith("host ", StringComparison.Ordinal) || message.StartsWith("robots ", StringComparison.Ordinal))
        {
            return;
        }
        changed = true;
        Interlocked.Exchange(ref changedSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        RedisValue[] values;
        lock (held)
        {
            if (held.Count == 0)
            {
                return;
            }
            values = new RedisValue[3 + held.Count];
            var i = 3;
            foreach (var key in held)
            {
                values[i++] = key;
            }
        }
        values[1] = redis.LeaseMs;
        values[2] = redis.Worker;
        var lost = (string[])(await redis.EvaluateAsync(RedisScripts.Renew, [keys.Epoch, keys.Leases, keys.Owners], values, cancellationToken, epochFirst: true).ConfigureAwait(false))!;
        foreach (var key in lost)
        {
            bool ours;
            lock (held)
            {
                // Completed or released since the snapshot: not lost. Else warn once; completing it later is still right.
                ours = held.Remove(key);
            }
            if (ours)
            {
                logger.LogWarning("{Url}: lease lost (this worker was out of touch with redis for longer than --lease); another worker may fetch it too", key);
            }
        }
    }
}
