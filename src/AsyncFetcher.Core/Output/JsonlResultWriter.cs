using System.Text.Json;
using AsyncFetcher.Core.Engine;

namespace AsyncFetcher.Core.Output;

/// <summary>One JSON object per line (JSON Lines), written with <see cref="Utf8JsonWriter"/> straight to the stream.</summary>
public sealed class JsonlResultWriter : IResultWriter
{
    private readonly Stream stream;
    private readonly bool ownsStream;
    private readonly Utf8JsonWriter json;

    /// <summary>Writes to <paramref name="stream"/>; disposes it at the end when <paramref name="ownsStream"/>.</summary>
    public JsonlResultWriter(Stream stream, bool ownsStream)
    {
        this.stream = stream;
        this.ownsStream = ownsStream;
        json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
    }

    /// <inheritdoc />
    public async ValueTask WriteAsync(CrawlResult result, CancellationToken cancellationToken)
    {
        JsonSerializer.Serialize(json, result, ResultJsonContext.Default.CrawlResult);
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
        json.Reset();
        stream.WriteByte((byte)'\n');
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
