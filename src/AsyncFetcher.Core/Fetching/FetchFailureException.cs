namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// A failed attempt that the crawler itself diagnosed (a protocol violation, a connection closed
/// before any response, a server too slow, an address refused), carrying the short reason the record
/// shows and whether a later attempt could fix it. An <see cref="IOException"/>, so that
/// SocketsHttpHandler wraps it (in an <see cref="HttpRequestException"/>) rather than replacing it.
/// </summary>
internal sealed class FetchFailureException(string error, bool transient, Exception? inner = null) : IOException(error, inner)
{
    /// <summary>The record's error: "closed early", "not HTTP", "too slow", ...</summary>
    public string Error { get; } = error;

    /// <summary>True when a later attempt may succeed, so the retry strategy retries it and the breaker counts it.</summary>
    public bool Transient { get; } = transient;

    /// <summary>The first <see cref="FetchFailureException"/> in <paramref name="e"/>'s chain of inner exceptions, if any.</summary>
    public static FetchFailureException? Find(Exception? e)
    {
        for (var depth = 0; e is not null && depth < 8; depth++, e = e.InnerException)
        {
            if (e is FetchFailureException failure)
            {
                return failure;
            }
        }
        return null;
    }
}
