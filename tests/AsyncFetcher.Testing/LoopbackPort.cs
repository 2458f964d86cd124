using System.Net;
using System.Net.Sockets;

namespace AsyncFetcher.Testing;

/// <summary>Ports on 127.0.0.1 for servers a test starts that cannot pick their own.</summary>
public static class LoopbackPort
{
    /// <summary>A port that was free a moment ago (the system's choice for port 0).</summary>
    public static int Free()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
