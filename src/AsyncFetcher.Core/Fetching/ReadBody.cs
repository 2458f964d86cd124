using System.Net;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// A body already read by <see cref="BodyReadingHandler"/> inside the attempt: the kept bytes (HTML,
/// or anything for robots.txt, up to --max-body) and what the read found. It replaces the response's
/// streamed content, so nothing after the pipeline touches the network.
/// </summary>
internal sealed class ReadBody(ReadOnlyMemory<byte> kept, long length, bool truncated, bool isHtml) : HttpContent
{
    public ReadOnlyMemory<byte> Kept { get; } = kept;

    /// <summary>Body bytes received, decompressed, up to the limit.</summary>
    public long Length { get; } = length;

    public bool Truncated { get; } = truncated;

    public bool IsHtml { get; } = isHtml;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Kept).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = Kept.Length;
        return true;
    }
}
