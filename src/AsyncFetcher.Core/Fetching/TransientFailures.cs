using System.Net.Sockets;
using Polly;
using Polly.Timeout;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// What the retry strategy retries and the circuit breaker counts as a failure. The standard
/// handler's own predicate retries every status from 500 up (501 Not Implemented and 505 too) and
/// every <see cref="HttpRequestException"/>, including a host name that does not exist; a crawler
/// wants the narrower set that a later attempt can actually fix.
/// </summary>
internal static class TransientFailures
{
    /// <summary>408, 429, 500, 502, 503 and 504: statuses that say "try again later".</summary>
    public static bool IsRetryableStatus(int status) => status is 408 or 429 or 500 or 502 or 503 or 504;

    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => IsRetryableStatus((int)response.StatusCode),
        { Exception: TimeoutRejectedException } => true,
        { Exception: { } e } when FetchFailureException.Find(e) is { } failure => failure.Transient,
        { Exception: BodyCutShortException } => true,
        { Exception: HttpRequestException e } => IsTransient(e),
        _ => false,
    };

    /// <summary>
    /// What the breaker counts against a host: the transient failures, and a server too slow to be
    /// worth a retry, which still says the host is in trouble.
    /// </summary>
    public static bool IsHostFailure(Outcome<HttpResponseMessage> outcome) =>
        IsTransient(outcome) || FetchFailureException.Find(outcome.Exception)?.Error == FetchErrors.TooSlow;

    private static bool IsTransient(HttpRequestException e) => e switch
    {
        // A name that does not resolve, or a certificate that does not validate, stays that way;
        // so does a server that breaks the protocol (a bad status line or header, headers too large).
        { InnerException: SocketException { SocketErrorCode: SocketError.HostNotFound } } => false,
        { HttpRequestError: HttpRequestError.SecureConnectionError or HttpRequestError.UserAuthenticationError or HttpRequestError.ConfigurationLimitExceeded or HttpRequestError.InvalidResponse } => false,
        _ => true,
    };
}
