using System.Collections.Concurrent;
using AsyncFetcher.Core.Scheduling;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// Per-host politeness across every worker of a crawl: a host has <c>--max-per-host</c> slots in Redis
/// (a ZSET of tokens scored by expiry, <see cref="RedisScripts.EnterHost"/>) and one "next allowed" time
/// for <c>--delay</c> and robots.txt Crawl-delay. A worker holds a slot while its request runs; the heartbeat
/// renews it, so a killed worker's slots free themselves after <c>--lease</c>. A worker turned away waits
/// for a slot to be freed (the crawl's channel says so) or for the interval to pass, never polling.
/// A host's robots.txt is fetched by one worker and shared with the others (<see cref="RedisScripts.ClaimRobots"/>).
/// </summary>
internal sealed class RedisHostGate : IHostGate, IAsyncDisposable
{
    /// <summary>How long closing waits for slot releases still on their way (Redis out of reach): then their slots expire after --lease.</summary>
    private static readonly TimeSpan ReleaseWait = TimeSpan.FromSeconds(2);

    private readonly RedisCrawl redis;
    private readonly TimeProvider time;
    private readonly int cap;
    private readonly string robotsToken;
    private readonly ConcurrentDictionary<string, ConcurrentStack<string>> held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HostSignal> signals = new(StringComparer.Ordinal);

    /// <summary>Hosts whose robots.txt this worker is fetching for the crawl: their locks are renewed like leases.</summary>
    private readonly ConcurrentDictionary<string, bool> robotsClaims = new(StringComparer.Ordinal);

    /// <summary>Slot releases on their way to Redis, retried through an outage.</summary>
    private readonly ConcurrentDictionary<Task, bool> releasing = new();
    private long tokens;

    public RedisHostGate(RedisCrawl redis, CrawlOptions options, TimeProvider time)
    {
        this.redis = redis;
        this.time = time;
        // --max-per-host is the whole crawl's limit; unset, it is --max, as for one process.
        cap = options.MaxPerHost > 0 ? options.MaxPerHost : options.Max;
        robotsToken = options.RobotsToken;
        redis.Listen(OnMessage);
        redis.OnHeartbeat(RenewAsync);
    }

    public async ValueTask<HostPass> EnterAsync(string hostKey, TimeSpan interval, CancellationToken cancellationToken)
    {
        var signal = signals.GetOrAdd(hostKey, _ => new HostSignal());
        var before = signal.Current;
        var token = $"{redis.Worker}#{Interlocked.Increment(ref tokens)}";
        var keys = redis.Keys;
        var answer = (long[])(await redis.EvaluateAsync(RedisScripts.EnterHost, [keys.HostSlots(hostKey), keys.HostNext(hostKey)],
            [token, cap, (long)interval.TotalMilliseconds, redis.LeaseMs], cancellationToken).ConfigureAwait(false))!;
        var wait = TimeSpan.FromMilliseconds(answer[1] + 1);
        switch (answer[0])
        {
            case 0:
                held.GetOrAdd(hostKey, _ => new ConcurrentStack<string>()).Push(token);
                return HostPass.Entered;
            case 1:
                return new HostPass(Task.Delay(wait, time, cancellationToken));
            default:
                // Full: a slot freed since we asked (a message already came) means ask again at once.
                return new HostPass(WhenFreedAsync(before.Task, wait, cancellationToken), AtCap: true);
        }
    }

    /// <summary>
    /// Frees the slot. The release is sent at once but not waited for by the engine's loop; it is retried through a
    /// Redis outage (for up to --frontier-timeout) and is safe to repeat, so a slot is not kept busy by an outage
    /// until its lease runs out.
    /// </summary>
    public ValueTask ExitAsync(string hostKey, CancellationToken cancellationToken)
    {
        if (held.TryGetValue(hostKey, out var stack) && stack.TryPop(out var token))
        {
            var release = ReleaseAsync(hostKey, token);
            if (!release.IsCompleted)
            {
                releasing.TryAdd(release, true);
                _ = release.ContinueWith(done => releasing.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<RobotsClaim> ClaimRobotsAsync(string hostKey, CancellationToken cancellationToken)
    {
        var signal = signals.GetOrAdd(hostKey, _ => new HostSignal());
        var before = signal.Current;
        var keys = redis.Keys;
        var answer = (RedisResult[])(await redis.EvaluateAsync(RedisScripts.ClaimRobots, [keys.Robots, keys.RobotsLock(hostKey)],
            [hostKey, redis.Worker, redis.LeaseMs], cancellationToken).ConfigureAwait(false))!;
        switch ((long)answer[0])
        {
            case 1:
                return new RobotsClaim(RobotsAnswer.FromShared((string)answer[1]!, robotsToken), null);
            case 0:
                robotsClaims[hostKey] = true;
                return RobotsClaim.Fetch;
            default:
                // Another worker is fetching it: it says when it is shared, else its lock runs out.
                var expiry = TimeSpan.FromMilliseconds(Math.Max(0, long.Parse((string)answer[1]!, System.Globalization.CultureInfo.InvariantCulture)) + 1);
                return new RobotsClaim(null, WhenFreedAsync(before.Task, expiry, cancellationToken));
        }
    }

    public async ValueTask ShareRobotsAsync(string hostKey, RobotsAnswer answer, CancellationToken cancellationToken)
    {
        var keys = redis.Keys;
        await redis.EvaluateAsync(RedisScripts.ShareRobots, [keys.Robots, keys.RobotsLock(hostKey)], [hostKey, answer.Share(), keys.Channel.ToString()], cancellationToken).ConfigureAwait(false);
        robotsClaims.TryRemove(hostKey, out _);
    }

    /// <summary>Waits, briefly, for slot releases still on their way; those Redis does not take in time expire after --lease.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Task.WhenAll(releasing.Keys).WaitAsync(ReleaseWait, time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private async Task ReleaseAsync(string hostKey, string token)
    {
        var keys = redis.Keys;
        try
        {
            await redis.EvaluateAsync(RedisScripts.ExitHost, [keys.HostSlots(hostKey)], [token, cap, keys.Channel.ToString(), hostKey], CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FrontierFailedException or OperationCanceledException)
        {
            // Redis out of reach for longer than --frontier-timeout (the crawl ends for that), or closing: the slot expires after --lease.
        }
    }

    /// <summary>Completes when a slot of the host is freed (or its robots.txt shared), or when <paramref name="expiry"/> passes (its holder may be dead).</summary>
    private async Task WhenFreedAsync(Task freed, TimeSpan expiry, CancellationToken cancellationToken)
    {
        try
        {
            await freed.WaitAsync(expiry, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private void OnMessage(string message)
    {
        if (message is "reconnected" or "lost")
        {
            foreach (var signal in signals.Values)
            {
                signal.Fire();
            }
            return;
        }
        var host = message.StartsWith("host ", StringComparison.Ordinal) ? message[5..]
            : message.StartsWith("robots ", StringComparison.Ordinal) ? message[7..]
            : null;
        if (host is not null && signals.TryGetValue(host, out var waiting))
        {
            waiting.Fire();
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var keys = new List<RedisKey>();
        var values = new List<RedisValue> { redis.LeaseMs };
        foreach (var (hostKey, stack) in held)
        {
            foreach (var token in stack)
            {
                keys.Add(redis.Keys.HostSlots(hostKey));
                values.Add(token);
            }
        }
        if (keys.Count > 0)
        {
            await redis.EvaluateAsync(RedisScripts.RenewHosts, [.. keys], [.. values], cancellationToken).ConfigureAwait(false);
        }
        if (!robotsClaims.IsEmpty)
        {
            await redis.EvaluateAsync(RedisScripts.RenewRobots, [.. robotsClaims.Keys.Select(redis.Keys.RobotsLock)], [redis.Worker, redis.LeaseMs], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A host's "a slot was freed" signal: each message completes the current task and starts a new one.</summary>
    private sealed class HostSignal
    {
        private TaskCompletionSource current = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Current => Volatile.Read(ref current);

        public void Fire() =>
            Interlocked.Exchange(ref current, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
