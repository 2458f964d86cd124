using System.Buffers;
using System.Text.Json;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output;

/// <summary>
/// One JSON object per line (JSON Lines): each record is serialised with <see cref="Utf8JsonWriter"/>
/// into a reused buffer and reaches the stream as one write and one flush, so a reader never sees
/// half a line and a crawl costs one system call per record.
/// </summary>
public sealed class JsonlResultWriter : IResultWriter
{
    private readonly Stream stream;
    private readonly bool ownsStream;
    private readonly ArrayBufferWriter<byte> line = new(1024);
    private readonly Utf8JsonWriter json;

    /// <summary>Writes to <paramref name="stream"/>; disposes it at the end when <paramref name="ownsStream"/>.</summary>
    public JsonlResultWriter(Stream stream, bool ownsStream)
    {
        this.stream = stream;
        this.ownsStream = ownsStream;
        json = new Utf8JsonWriter(line, new JsonWriterOptions { SkipValidation = true });
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(CrawlResult result, CancellationToken cancellationToken)
    {
        line.ResetWrittenCount();
        json.Reset();
        JsonSerializer.Serialize(json, result, ResultJsonContext.Default.CrawlResult);
        json.Flush();
        line.Write("\n"u8);
        await stream.WriteAsync(line.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await json.DisposeAsync().ConfigureAwait(false);
        if (ownsStream)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
