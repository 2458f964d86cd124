using System.Threading.Channels;

namespace AsyncFetcher.Cli.Demos;

/// <summary>
/// <c>demo channels</c>: producer/consumer over a bounded <see cref="Channel{T}"/> (an
/// <c>asyncio.Queue(maxsize=N)</c>): a fast producer waits whenever the channel is full, the
/// consumers fetch at the server's pace, and completing the writer ends the consumers' loops.
/// </summary>
internal sealed class ChannelsDemo(int items = 16, int capacity = 4, int consumers = 2, int delayMs = 50) : IDemo
{
    public string Name => "channels";

    public string Summary => "Producer/consumer over a bounded channel: backpressure and completion";

    public string Takeaway => "a bounded channel is asyncio.Queue(maxsize): a full channel makes the producer wait, and Complete() ends the readers.";

    public async Task<DemoResult> RunAsync(TextWriter output, CancellationToken cancellationToken)
    {
        await using var site = await DemoSite.StartAsync(cancellationToken);
        using var client = new HttpClient();
        var channel = Channel.CreateBounded<Uri>(new BoundedChannelOptions(capacity) { SingleWriter = true });
        // The server holds the first answers until the producer has had to wait, so the channel does fill up.
        output.WriteLine($"producer: {items} URLs into a channel of capacity {capacity}; {consumers} consumers fetch them ({delayMs} ms each)");

        var consumed = 0;
        var workers = Enumerable.Range(0, consumers).Select(_ => Task.Run(async () =>
        {
            // ReadAllAsync ends when the writer is completed and the channel is empty.
            await foreach (var url in channel.Reader.ReadAllAsync(cancellationToken))
            {
                await client.GetStringAsync(url, cancellationToken);
                Interlocked.Increment(ref consumed);
            }
        }, cancellationToken)).ToList();

        var waits = 0;
        var peakBuffered = 0;
        for (var i = 0; i < items; i++)
        {
            var write = channel.Writer.WriteAsync(site.Work($"{i}", TimeSpan.FromMilliseconds(delayMs), after: "producer-waited"), cancellationToken);
            if (!write.IsCompleted)
            {
                // The channel is full: the producer is suspended here until a consumer takes an item.
                waits++;
                site.Raise("producer-waited");
            }
            await write;
            peakBuffered = Math.Max(peakBuffered, channel.Reader.Count);
        }
        channel.Writer.Complete();
        await Task.WhenAll(workers);

        output.WriteLine($"the producer had to wait {waits} time(s) for room; the channel never held more than {peakBuffered}");
        output.WriteLine($"consumed {consumed} of {items}; the server saw at most {site.Server.PeakInFlight} at once (one per consumer)");
        output.WriteLine("asyncfetch's engine does the same with its work channel, bounded at --max: the scheduler loop is its only writer.");
        return new Outcome(items, capacity, consumers, waits, peakBuffered, consumed, site.Server.PeakInFlight);
    }

    internal sealed record Outcome(int Produced, int Capacity, int Consumers, int ProducerWaits, int PeakBuffered, int Consumed, int ServerPeak) : DemoResult;
}
