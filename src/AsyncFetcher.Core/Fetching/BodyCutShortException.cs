namespace AsyncFetcher.Core.Fetching;

/// <summary>The server ended the body early (connection reset, fewer bytes than Content-Length): a failed attempt, retried like a 5xx.</summary>
internal sealed class BodyCutShortException(Exception inner) : IOException("response body cut short: " + inner.Message, inner);
