using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Fetching;

/// <summary>Runs alone (no other test allocating meanwhile), so the process's allocation count measures this crawl.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public sealed class MemoryCollection;

/// <summary>--max-body bounds memory however large the response: a 64 MiB body costs about the limit, not the body.</summary>
[Collection(nameof(MemoryTests))]
public sealed class MemoryTests
{
    private const int Size = 64 << 20;
    private const long Limit = 1 << 20;

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/octet-stream")]
    public async Task A_64_MiB_response_with_max_body_1_MiB_is_truncated_and_memory_stays_small(string contentType)
    {
        await using var site = await LocalSite.StartAsync();
        // The server streams one reused 64 KiB block, so what the process allocates is the client's doing.
        var block = new byte[64 << 10];
        Array.Fill(block, (byte)'x');
        "<html><title>huge</title>"u8.CopyTo(block);
        site.Map("/", async context =>
        {
            context.Response.ContentType = contentType;
            context.Response.ContentLength = Size;
            for (var i = 0; i < Size / block.Length && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(block, context.RequestAborted);
            }
        });
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.MaxBody = Limit;
        // Warm up (JIT, connection pool, Kestrel) so the measurement is the big body alone.
        site.Page("/warm", LocalSite.Html("warm", ""));
        await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/warm"));

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        var record = Assert.Single(results);
        Assert.True(record.Truncated);
        Assert.Equal(Limit, record.Bytes);
        Assert.Equal(200, record.Status);
        Assert.True(allocated < 32 << 20, $"allocated {allocated:N0} bytes for a {Size:N0}-byte response");
        Console.WriteLine($"memory: {contentType}: {allocated:N0} bytes allocated for a {Size:N0}-byte response with --max-body {Limit:N0}");
    }
}
