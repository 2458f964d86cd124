using System.Threading.Channels;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>
/// Slow servers end in bounded time, on a fake clock: a response that trickles ends at the first
/// --min-rate window it fails ("too slow", not retried), while a body that keeps arriving is never cut
/// by --timeout however long it takes.
/// </summary>
public sealed class SlowServerTests
{
    [Theory]
    [InlineData("H")]
    [InlineData("HTTP/1.1 102 Processing\r\n\r\n")]
    public async Task A_trickle_or_endless_1xx_ends_as_too_slow_within_40_seconds_with_the_defaults(string trickle)
    {
        var done = new TaskCompletionSource();
        await using var server = new RawHttpServer(async (_, stream) =>
        {
            // A status line sent a byte at a time, or informational heads one after another: bytes, but no page.
            for (var i = 0; i < (trickle.Length == 1 ? 1 : 100); i++)
            {
                await stream.WriteAsync(RawHttpServer.Ascii(trickle));
            }
            await done.Task;
        });
        var clock = new TimerWatchingClock();
        var options = new CrawlOptions { Depth = 0, Robots = false };
        await using var provider = EngineHarness.Build(options, clock);

        var crawl = EngineHarness.CrawlAsync(provider, [server.BaseUrl], CancellationToken.None);
        try
        {
            // The attempt saw the first byte: its rate window (10s) is armed.
            var window = await clock.NextChangeAsync(d => d == TimeSpan.FromSeconds(10));
            clock.Advance(window);
            var results = await crawl.WaitAsync(TimeSpan.FromSeconds(60));

            var record = Assert.Single(results);
            Assert.Equal("too slow", record.Error);
            Assert.Equal(1, record.Attempts);
            Assert.Equal(1, server.Requests);
            Assert.InRange(record.ElapsedMs, 10_000, 40_000);
        }
        finally
        {
            done.TrySetResult();
            await DrainAsync(crawl, clock);
        }
    }

    [Fact]
    public async Task A_large_body_that_keeps_arriving_is_not_cut_by_the_timeout()
    {
        const int Chunks = 20;
        const int ChunkSize = 4096;
        await using var site = await LocalSite.StartAsync();
        var release = new SemaphoreSlim(0);
        site.Map("/", async context =>
        {
            context.Response.ContentType = "text/html";
            context.Response.ContentLength = Chunks * ChunkSize;
            var chunk = new byte[ChunkSize];
            Array.Fill(chunk, (byte)'x');
            "<html><title>steady</title>"u8.CopyTo(chunk);
            for (var i = 0; i < Chunks; i++)
            {
                await release.WaitAsync(context.RequestAborted);
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        var clock = new TimerWatchingClock();
        // The default budget for the URL (--total-timeout 0) is then 10s x 4 + 3 x 60s: the 80s body fits; --timeout alone would cut it.
        var options = new CrawlOptions { Depth = 0, Robots = false, Timeout = TimeSpan.FromSeconds(10), MinRate = "1KiB/5s" };
        var progress = new BodyProgress();
        await using var provider = EngineHarness.Build(options, clock, services =>
            services.AddSingleton<DelegatingHandler>(progress));

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        List<CrawlResult> results;
        try
        {
            for (var i = 1; i <= Chunks; i++)
            {
                release.Release();
                await progress.ReachedAsync((long)i * ChunkSize);
                // 4s a chunk: 80s in all, eight times --timeout, but never 10s without a byte nor 5s without 1 KiB.
                clock.Advance(TimeSpan.FromSeconds(4));
            }
            results = await crawl.WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            release.Release(Chunks);
            await DrainAsync(crawl, clock);
        }

        var record = Assert.Single(results);
        Assert.Null(record.Error);
        Assert.Equal(200, record.Status);
        Assert.False(record.Truncated);
        Assert.Equal(Chunks * ChunkSize, record.Bytes);
        Assert.Equal("steady", record.Title);
    }

    [Fact]
    public async Task A_body_that_stops_arriving_times_out_after_timeout_without_progress()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/", async context =>
        {
            context.Response.ContentType = "text/html";
            context.Response.ContentLength = 100_000;
            await context.Response.WriteAsync(new string('x', 50_000), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        var clock = new TimerWatchingClock();
        var options = new CrawlOptions { Depth = 0, Robots = false, Retries = 0, Timeout = TimeSpan.FromSeconds(10), MinRate = "0" };
        var progress = new BodyProgress();
        await using var provider = EngineHarness.Build(options, clock, services =>
            services.AddSingleton<DelegatingHandler>(progress));

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        await progress.ReachedAsync(50_000);
        clock.Advance(TimeSpan.FromSeconds(10));
        var results = await crawl.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("timeout", Assert.Single(results).Error);
    }

    /// <summary>
    /// After a failed assertion, lets a crawl that is still waiting on the fake clock run out (each timer
    /// it starts fires at the next move), so the test ends instead of waiting on its servers.
    /// </summary>
    private static async Task DrainAsync(Task crawl, TimerWatchingClock clock)
    {
        for (var i = 0; i < 100 && !crawl.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromHours(1));
            await Task.WhenAny(crawl, Task.Delay(TimeSpan.FromMilliseconds(100)));
        }
    }

    /// <summary>Sits under the body reader: reports how many body bytes the crawler has read so far.</summary>
    private sealed class BodyProgress : DelegatingHandler
    {
        private readonly Channel<long> reads = Channel.CreateUnbounded<long>();
        private long total;

        public async Task ReachedAsync(long bytes)
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (Interlocked.Read(ref total) < bytes)
            {
                await reads.Reader.ReadAsync(guard.Token);
            }
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var counted = new StreamContent(new CountingStream(await response.Content.ReadAsStreamAsync(cancellationToken), this));
            foreach (var header in response.Content.Headers)
            {
                counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
            response.Content = counted;
            return response;
        }

        private void Read(int count)
        {
            Interlocked.Add(ref total, count);
            reads.Writer.TryWrite(count);
        }

        private sealed class CountingStream(Stream inner, BodyProgress progress) : Stream
        {
            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var read = await inner.ReadAsync(buffer, cancellationToken);
                progress.Read(read);
                return read;
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }
                base.Dispose(disposing);
            }
        }
    }
}
