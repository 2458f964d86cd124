using System.Net;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// A body already read by <see cref="BodyReadingHandler"/> inside the attempt: the kept bytes (HTML,
/// or anything for robots.txt, up to --max-body) and what the read found. It replaces the response's
/// streamed content, so nothing after the pipeline touches the network.
/// </summary>
internal sealed class ReadBody(ReadOnlyMemory<byte> kept, long length, bool truncated, bool isHtml, string? hash = null) : HttpContent
{
    public ReadOnlyMemory<byte> Kept { get; } = kept;

    /// <summary>SHA-1 of the bytes read, in hex, when asked for (<see cref="BodyRequest.Hash"/>).</summary>
    public string? Hash { get; } = hash;

    /// <summary>With --warc, the capture of the exchange; owned here until <see cref="TakeCapture"/>, so a response the pipeline drops (a retried 503) takes its capture with it.</summary>
    public Output.Warc.HttpCapture? Capture { get; set; }

    /// <summary>Hands the capture on to the fetch's outcome.</summary>
    public Output.Warc.HttpCapture? TakeCapture()
    {
        var capture = Capture;
        Capture = null;
        return capture;
    }

    /// <summary>
    /// Who lent the kept bytes (a page's body), or null: they are given back when this content is disposed,
    /// unless <see cref="HandOn"/> passed them to the fetch's outcome first.
    /// </summary>
    public PageBuffers? Lender { get; set; }

    /// <summary>The kept bytes, for the fetch's outcome: lent ones are now its to give back (<see cref="Fetcher.GiveBack"/>).</summary>
    public ReadOnlyMemory<byte> HandOn()
    {
        Lender = null;
        return Kept;
    }

    /// <summary>Body bytes received, decompressed, up to the limit.</summary>
    public long Length { get; } = length;

    public bool Truncated { get; } = truncated;

    public bool IsHtml { get; } = isHtml;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Kept).AsTask();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            TakeCapture()?.Dispose();
            Lender?.Return(Kept);
            Lender = null;
        }
        base.Dispose(disposing);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Kept.Length;
        return true;
    }
}
