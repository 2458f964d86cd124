// Over 300 lines: one link to a shared crawl in Redis (connection, pub/sub, the retry pipeline bounded by --frontier-timeout, the epoch, the lease heartbeat); its Lua scripts are RedisScripts.
using System.Net.Sockets;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using StackExchange.Redis;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// This worker's link to a crawl in Redis, shared by <see cref="RedisFrontier"/> and <see cref="RedisHostGate"/>:
/// one connection, the crawl's pub/sub channel, a retry pipeline that rides out a Redis outage for up to
/// <c>--frontier-timeout</c>, the crawl's epoch (a Redis emptied under the crawl is told from one that kept it),
/// and a heartbeat that renews this worker's leases every third of <see cref="CrawlOptions.Lease"/>, so only
/// a worker that stopped (killed, hung, cut off) loses them.
/// </summary>
internal sealed class RedisCrawl : IAsyncDisposable
{
    private readonly ConfigurationOptions configuration;
    private readonly string address;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly TimeSpan frontierTimeout;
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
    private bool subscribed;

    /// <summary>Why the last call or connection failed, in a few words, for the line that ends an outage too long.</summary>
    private string lastReason = "cannot connect";

    /// <summary>Set once the crawl's keys are found gone: every later call throws it.</summary>
    private FrontierFailedException? lost;

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
        // Short: a connection that fails is retried (by the client and by the pipeline) until --frontier-timeout.
        configuration.ConnectTimeout = 2000;
        // The client's own I/O threads spin while idle waiting for work; on a small machine that CPU belongs to the crawl.
        configuration.SocketManager = SocketManager.ThreadPool;
        address = RedisAddress.Redact(options.Frontier);
        Keys = new RedisKeys(options.CrawlId);
        Worker = string.IsNullOrEmpty(options.WorkerId) ? $"{Environment.MachineName}-{Environment.ProcessId}" : options.WorkerId;
        configuration.ClientName = Worker;
        Lease = options.Lease;
        frontierTimeout = options.FrontierTimeout;
        this.time = time;
        this.logger = logger;
        pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            // Outermost: however the retries go, one call waits for Redis at most --frontier-timeout.
            .AddTimeout(frontierTimeout)
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<RedisConnectionException>()
                    .Handle<RedisTimeoutException>()
                    .Handle<RedisServerException>(IsTransient),
                // Bounded by the timeout above, not by a count.
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    Unavailable(args.Outcome.Exception);
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

    /// <summary>The crawl's epoch, set by its first worker and read by every other when it connects; empty before.</summary>
    public string Epoch { get; private set; } = "";

    /// <summary>Calls <paramref name="listener"/> with each message on the crawl's channel, with "reconnected" after an outage (messages may have been missed), and with "lost" once the crawl's keys are found gone.</summary>
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

    /// <summary>
    /// Runs a script, retrying through an outage for up to <c>--frontier-timeout</c>. The first call connects,
    /// subscribes and reads the crawl's epoch; with <paramref name="epochFirst"/>, <paramref name="values"/>[0]
    /// is set to it (a leasing script checks it: <see cref="RedisScripts.Take"/>). A script that finds the
    /// epoch gone (<see cref="RedisScripts.Lost"/>) means Redis was emptied under the crawl.
    /// </summary>
    /// <exception cref="FrontierFailedException">Redis did not answer within --frontier-timeout, or the crawl's keys are gone.</exception>
    public async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken, bool epochFirst = false)
    {
        if (lost is not null)
        {
            throw lost;
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposing.Token);
        RedisResult result;
        try
        {
            result = await pipeline.ExecuteAsync(
                static async (state, token) =>
                {
                    var db = state.self.database ?? await state.self.ConnectAsync(token).ConfigureAwait(false);
                    if (state.epochFirst)
                    {
                        state.values[0] = state.self.Epoch;
                    }
                    return await db.ScriptEvaluateAsync(state.script, state.keys, state.values).WaitAsync(token).ConfigureAwait(false);
                },
                (self: this, script, keys, values, epochFirst),
                linked.Token).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            throw new FrontierFailedException($"redis at {address} did not answer for {Units.FormatDuration(frontierTimeout)} (--frontier-timeout): {lastReason}", e);
        }
        catch (RedisServerException e) when (e.Message.StartsWith(RedisScripts.Lost, StringComparison.Ordinal))
        {
            throw Lose(e);
        }
        if (Interlocked.Exchange(ref outage, 0) == 1)
        {
            logger.LogInformation("redis at {Address} is back; continuing", address);
        }
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await disposing.CancelAsync().ConfigureAwait(false);
        await heartbeat.ConfigureAwait(false);
        if (connection is not null)
        {
            await connection.CloseAsync(allowCommandsToComplete: lost is null && outage == 0).ConfigureAwait(false);
            connection.Dispose();
        }
        disposing.Dispose();
        connecting.Dispose();
    }

    /// <summary>Connects, subscribes to the crawl's channel and reads its epoch; called inside the retry pipeline, so each step is retried.</summary>
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
                // The client's connect is not cancellable: a stop does not wait for it, and a connection made after is closed.
                var connect = ConnectionMultiplexer.ConnectAsync(configuration);
                try
                {
                    connection = await connect.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    _ = connect.ContinueWith(static made => made.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
                    throw;
                }
                connection.ConnectionFailed += (_, e) =>
                {
                    if (e.ConnectionType == ConnectionType.Subscription)
                    {
                        Interlocked.Exchange(ref subscriptionLost, 1);
                    }
                    else
                    {
                        // Said as soon as the socket fails, with its reason: the client's own errors only say "no connection".
                        Unavailable(e.Exception);
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
            if (!subscribed)
            {
                // Subscribed before the first take, so no message after it can be missed.
                await connection.GetSubscriber().SubscribeAsync(Keys.Channel, (_, message) => Broadcast(message.ToString())).WaitAsync(cancellationToken).ConfigureAwait(false);
                subscribed = true;
            }
            var db = connection.GetDatabase();
            // The first worker sets the epoch; the others read it. Every lease checks it is still there.
            Epoch = (string)(await db.ScriptEvaluateAsync(RedisScripts.JoinEpoch, [Keys.Epoch], [Guid.NewGuid().ToString("N")]).WaitAsync(cancellationToken).ConfigureAwait(false))!;
            heartbeat = HeartbeatAsync(disposing.Token);
            database = db;
            logger.LogInformation("worker {Worker} joined crawl {CrawlId} in redis at {Address}", Worker, Keys.CrawlId, address);
            return database;
        }
        finally
        {
            connecting.Release();
        }
    }

    /// <summary>Notes why Redis is out of reach; the first failure of an outage says so in one line, not one per retry.</summary>
    private void Unavailable(Exception? e)
    {
        var reason = Reason(e);
        // The client's "no connection is available" says less than the socket's failure it follows.
        if (reason != "cannot connect" || Volatile.Read(ref outage) == 0)
        {
            lastReason = reason;
        }
        if (Interlocked.Exchange(ref outage, 1) == 0)
        {
            logger.LogWarning("redis at {Address} unavailable ({Reason}); retrying for up to {Timeout} (--frontier-timeout)",
                address, lastReason, Units.FormatDuration(frontierTimeout));
        }
    }

    /// <summary>The crawl's keys are gone (Redis restarted empty, or they were deleted): remember it, and wake whoever waits.</summary>
    private FrontierFailedException Lose(Exception e)
    {
        var failure = new FrontierFailedException(
            $"the frontier was lost: redis at {address} no longer holds crawl '{Keys.CrawlId}' (restarted without persistence, or its keys deleted); the records written so far are kept",
            e);
        if (Interlocked.CompareExchange(ref lost, failure, null) is null)
        {
            Broadcast("lost");
        }
        return lost!;
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
                    catch (FrontierFailedException)
                    {
                        // The crawl ends with this failure, said once, by the engine's next call.
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

    /// <summary>A failure in a few words: "connection refused", "timeout", "LOADING", not the client's paragraph of diagnostics.</summary>
    private static string Reason(Exception? e)
    {
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException socket)
            {
                return socket.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : $"network: {socket.SocketErrorCode}";
            }
        }
        return e switch
        {
            RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection } => "cannot connect",
            RedisConnectionException { FailureType: ConnectionFailureType.SocketFailure or ConnectionFailureType.SocketClosed or ConnectionFailureType.ConnectionDisposed } => "connection lost",
            RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } => "authentication failed",
            RedisConnectionException c => $"connection: {c.FailureType}",
            RedisTimeoutException => "timeout",
            RedisServerException s => s.Message.Split(' ')[0],
            null => "no answer",
            _ => e.GetType().Name,
        };
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
