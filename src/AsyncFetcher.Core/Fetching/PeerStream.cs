using System.Net;
using System.Net.Sockets;
using AsyncFetcher.Core.Output.Warc;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// The socket stream of one connection (<see cref="ConnectionGuard"/> opens it), which tells a
/// request being archived the address it actually went to (WARC-IP-Address): the address connected
/// to, after DNS, not one looked up again later.
/// </summary>
/// <remarks>
/// Over TLS the handler wraps this stream in its own SslStream, out of reach, so the address cannot
/// be handed up when the connection opens. It is handed over when a request is written instead:
/// <see cref="WireStream"/> names the capture on the async flow of that write (<see cref="Writing"/>),
/// and the write reaches this stream on the same flow, through TLS or not. Writes on other flows (the
/// TLS handshake of a connection another request started) see no capture.
/// </remarks>
internal sealed class PeerStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
{
    private readonly string? address = (socket.RemoteEndPoint as IPEndPoint)?.Address is { } ip
        ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString()
        : null;

    /// <summary>The capture whose request is being written on this async flow; set only around that write.</summary>
    public static readonly AsyncLocal<HttpCapture?> Writing = new();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Note();
        return base.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Note();
        return base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Note();
        base.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Note();
        base.Write(buffer, offset, count);
    }

    private void Note()
    {
        if (Writing.Value is { } capture)
        {
            capture.IpAddress = address;
        }
    }
}
