using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Turns the exceptions of a failed exchange into the short reasons records carry. Each says what
/// happened on the wire, in the words of the HTTP specs: a connection fault (refused, reset, closed
/// early), a protocol violation (not HTTP, a bad status line or header, two Content-Lengths, a bad
/// chunk), or a limit (timeout, too slow).
/// </summary>
internal static class FetchErrors
{
    public const string CircuitOpen = "circuit open";

    public const string ClosedEarly = "closed early";

    public const string BodyCutShort = "body cut short";

    public const string TooSlow = "too slow";

    public const string PrivateAddress = "private address refused";

    /// <summary>True for a reason that is about the host, not one response: every URL of it would fail the same way.</summary>
    public static bool IsHostUnreachable(string error) =>
        error is "dns" or "connection refused" or "connection failed" or "unreachable" or "tls" or PrivateAddress;

    public static string Describe(Exception e) => e switch
    {
        // A limit that ended the attempt wins over whatever the torn-down connection threw meanwhile.
        TimeoutRejectedException => "timeout",
        BrokenCircuitException => CircuitOpen,
        OperationCanceledException => "timeout",
        _ when FetchFailureException.Find(e) is { } failure => failure.Error,
        BodyCutShortException => BodyCutShort,
        InvalidDataException => "invalid compressed body",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "dns",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "connection refused",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } } => "dns",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } or IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } } } => "connection reset",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.NetworkUnreachable or SocketError.HostUnreachable } } => "unreachable",
        HttpRequestException { InnerException: SocketException s } => $"network: {s.SocketErrorCode}",
        HttpRequestException { InnerException: IOException { InnerException: SocketException s } } => $"network: {s.SocketErrorCode}",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "tls",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => ClosedEarly,
        HttpRequestException { HttpRequestError: HttpRequestError.ConfigurationLimitExceeded } => "headers too large",
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => "invalid response",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection failed",
        HttpRequestException h => $"http: {h.HttpRequestError}",
        IOException => ClosedEarly,
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
