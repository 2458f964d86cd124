using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AsyncFetcher.Core.Fetching;

/// <summary>Turns the exceptions of a failed exchange into the short reasons records carry.</summary>
internal static class FetchErrors
{
    public const string CircuitOpen = "circuit open";

    public static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException => "timeout",
        BrokenCircuitException => CircuitOpen,
        BodyCutShortException => "body cut short",
        InvalidDataException => "invalid compressed body",
        OperationCanceledException => "timeout",
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => "dns",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "connection refused",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData } } => "dns",
        HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } or IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset } } } => "connection reset",
        HttpRequestException { InnerException: SocketException s } => $"network: {s.SocketErrorCode}",
        HttpRequestException { InnerException: IOException { InnerException: SocketException s } } => $"network: {s.SocketErrorCode}",
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } => "tls",
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => "connection closed",
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => "invalid response",
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => "connection failed",
        HttpRequestException h => $"http: {h.HttpRequestError}",
        IOException => "connection closed",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
