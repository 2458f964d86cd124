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
/// </summary>
internal sealed class RedisHostGate : IHostGate
{
    private readonly RedisCrawl redis;
    private readonly TimeProvider time;
    private readonly int cap;
    private readonly ConcurrentDictionary<string, ConcurrentStack<string>> held = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, HostSignal> signals = new(StringComparer.Ordinal);
    private long tokens;

    public RedisHostGate(RedisCrawl redis, CrawlOptions options, TimeProvider time)
    {
        this.redis = redis;
        this.time = time;
        // --max-per-host is the whole crawl's limit; unset, it is --max, as for one process.
        cap = options.MaxPerHost > 0 ? options.MaxPerHost : options.Max;
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
                return new HostPass(WhenFreedAsync(before.Task, wait, cancellationToken));
        }
    }

    public ValueTask ExitAsync(string hostKey, CancellationToken cancellationToken)
    {
        if (held.TryGetValue(hostKey, out var stack) && stack.TryPop(out var token))
        {
            var keys = redis.Keys;
            redis.Send(RedisScripts.ExitHost, [keys.HostSlots(hostKey)], [token, cap, keys.Channel.ToString(), hostKey]);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes when a slot of the host is freed, or when the first slot's lease runs out (its worker may be dead).</summary>
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
        if (message == "reconnected")
        {
            foreach (var signal in signals.Values)
            {
                signal.Fire();
            }
        }
        else if (message.StartsWith("host ", StringComparison.Ordinal) && signals.TryGetValue(message[5..], out var signal))
        {
            signal.Fire();
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
