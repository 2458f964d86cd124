using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// This worker's link to a crawl in Redis, shared by <see cref="RedisFrontier"/> and <see cref="RedisHostGate"/>:
/// one connection, the crawl's pub/sub channel, a retry pipeline that rides out a Redis outage, and a
/// heartbeat that renews this worker's leases every third of <see cref="CrawlOptions.Lease"/>, so only
/// a worker that stopped (killed, hung, cut off) loses them.
/// </summary>
internal sealed class RedisCrawl : IAsyncDisposable
{
    private readonly ConfigurationOptions configuration;
    private readonly string address;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ResiliencePipeline pipeline;
    private readonly CancellationTokenSource disposing = new();
    private readonly SemaphoreSlim connecting = new(1, 1);
    private readonly List<Action<string>> listeners = [];
    private readonly List<Func<CancellationToken, Task>> renewers = [];
    private ConnectionMultiplexer? connection;
    private IDatabase? database;
    private Task heartbeat = Task.CompletedTask;
    private int outage;
    private int subscriptionLost;

    public RedisCrawl(CrawlOptions options, TimeProvider time, ILogger<RedisCrawl> logger)
    {
        if (!RedisAddress.TryParse(options.Frontier, out configuration, out var error))
        {
            throw new ArgumentException($"--frontier {error}", nameof(options));
        }
        // Polly, not the client, owns retrying: fail fast while disconnected, reconnect quickly once Redis is back.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new ExponentialRetry(100, 2000);
        configuration.ConnectTimeout = 5000;
        // The client's own I/O threads spin while idle waiting for work; on a small machine that CPU belongs to the crawl.
        configuration.SocketManager = SocketManager.ThreadPool;
        address = RedisAddress.Redact(options.Frontier);
        Keys = new RedisKeys(options.CrawlId);
        Worker = string.IsNullOrEmpty(options.WorkerId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : options.WorkerId;
        configuration.ClientName = Worker;
        Lease = options.Lease;
        this.time = time;
        this.logger = logger;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<RedisConnectionException>()
                    .Handle<RedisTimeoutException>()
                    .Handle<RedisServerException>(IsTransient),
                // Redis down is waited out, however long: the crawl's state is there, and nothing is lost by waiting.
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    Interlocked.Exchange(ref outage, 1);
                    logger.LogWarning("redis at {Address} unavailable ({Reason}); retrying in {Delay:F1}s",
                        address, args.Outcome.Exception?.Message, args.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    public RedisKeys Keys { get; }

    /// <summary>This worker's id: the owner of its leases, and the <c>worker</c> field of its records.</summary>
    public string Worker { get; }

    public TimeSpan Lease { get; }

    public long LeaseMs => (long)Lease.TotalMilliseconds;

    /// <summary>Calls <paramref name="listener"/> with each message on the crawl's channel, and with "reconnected" after an outage (messages may have been missed).</summary>
    public void Listen(Action<string> listener)
    {
        lock (listeners)
        {
            listeners.Add(listener);
        }
    }

    /// <summary>Calls <paramref name="renew"/> on every heartbeat, to extend what this worker holds.</summary>
    public void OnHeartbeat(Func<CancellationToken, Task> renew)
    {
        lock (renewers)
        {
            renewers.Add(renew);
        }
    }

    /// <summary>Runs a script, retrying through an outage. The first call connects and subscribes.</summary>
    public async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing.Token);
        var db = database ?? await ConnectAsync(linked.Token).ConfigureAwait(false);
        var result = await pipeline.ExecuteAsync(
            static async (state, _) => await state.db.ScriptEvaluateAsync(state.script, state.keys, state.values).ConfigureAwait(false),
            (db, script, keys, values),
            linked.Token).ConfigureAwait(false);
        if (Interlocked.Exchange(ref outage, 0) == 1)
        {
            logger.LogInformation("redis at {Address} is back; continuing", address);
        }
        return result;
    }

    /// <summary>
    /// Sends a script without waiting for its reply or retrying: for a step whose loss only costs time, like
    /// freeing a host slot (an unfreed slot expires after --lease). Saves the engine's loop a round trip per page.
    /// </summary>
    public void Send(string script, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            _ = database?.ScriptEvaluateAsync(script, keys, values, CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Not connected: the step is lost, as its summary allows.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await disposing.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        if (connection is not null)
        {
            await connection.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
            connection.Dispose();
        }
        disposing.Dispose();
        connecting.Dispose();
    }

    private async Task<IDatabase> ConnectAsync(CancellationToken cancellationToken)
    {
        await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (database is not null)
            {
                return database;
            }
            if (connection is null)
            {
                connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
                connection.ConnectionFailed += (_, e) =>
                {
                    if (e.ConnectionType == ConnectionType.Subscription)
                    {
                        Interlocked.Exchange(ref subscriptionLost, 1);
                    }
                };
                connection.ConnectionRestored += (_, e) =>
                {
                    // Only after a loss: messages may have been missed then. A restore without one wakes nobody for nothing.
                    if (e.ConnectionType == ConnectionType.Subscription && Interlocked.Exchange(ref subscriptionLost, 0) == 1)
                    {
                        Broadcast("reconnected");
                    }
                };
            }
            // Subscribed before the first take, so no message after it can be missed.
            await pipeline.ExecuteAsync(
                static async (state, _) => await state.connection.GetSubscriber().SubscribeAsync(state.channel, state.handler).ConfigureAwait(false),
                (connection, channel: Keys.Channel, handler: (Action<RedisChannel, RedisValue>)((_, message) => Broadcast(message.ToString()))),
                cancellationToken).ConfigureAwait(false);
            heartbeat = HeartbeatAsync(disposing.Token);
            database = connection.GetDatabase();
            logger.LogInformation("worker {Worker} joined crawl {CrawlId} in redis at {Address}", Worker, Keys.CrawlId, address);
            return database;
        }
        finally
        {
            connecting.Release();
        }
    }

    private void Broadcast(string message)
    {
        Action<string>[] current;
        lock (listeners)
        {
            current = [.. listeners];
        }
        foreach (var listener in current)
        {
            listener(message);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Lease / 3, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Func<CancellationToken, Task>[] current;
                lock (renewers)
                {
                    current = [.. renewers];
                }
                foreach (var renew in current)
                {
                    try
                    {
                        await renew(cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogError(e, "renewing leases in redis at {Address} failed", address);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Errors Redis gives while it loads its data after a restart, or while a replica is promoted.</summary>
    private static bool IsTransient(RedisServerException e) =>
        e.Message.StartsWith("LOADING", StringComparison.Ordinal)
        || e.Message.StartsWith("BUSY", StringComparison.Ordinal)
        || e.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
        || e.Message.StartsWith("READONLY", StringComparison.Ordinal)
        || e.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
        || e.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal);
}
