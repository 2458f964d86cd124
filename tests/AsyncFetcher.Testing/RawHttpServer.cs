using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AsyncFetcher.Testing;

/// <summary>
/// A loopback server that writes raw bytes, for responses Kestrel will not produce: a body shorter
/// than its Content-Length or a chunked body without its last chunk, ended by a graceful close (FIN),
/// so the client reliably receives the headers and then fails while reading the body.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, Stream, Task> respond;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int requests;

    /// <param name="respond">Writes the raw response to request number n (1-based); the connection is closed gracefully after it.</param>
    public RawHttpServer(Func<int, Stream, Task> respond)
    {
        this.respond = respond;
        listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        accepting = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    public int Requests => Volatile.Read(ref requests);

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stop.Token);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                // One request per connection: read the head up to its blank line, answer, close.
                var head = new List<byte>();
                var buffer = new byte[1];
                while (!EndsWithBlankLine(head) && await stream.ReadAsync(buffer, stop.Token) == 1)
                {
                    head.Add(buffer[0]);
                }
                await respond(Interlocked.Increment(ref requests), stream);
                await stream.FlushAsync(stop.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Ends the connection with a reset (RST) instead of a graceful close, as a crashing server does.</summary>
    public static void Reset(Stream stream)
    {
        var socket = ((NetworkStream)stream).Socket;
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';
}
