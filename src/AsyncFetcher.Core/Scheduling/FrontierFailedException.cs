namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The frontier cannot go on: the store it lives in failed (a state file damaged, read-only or on a full
/// disk; Redis out of reach for longer than <c>--frontier-timeout</c>, or emptied under the crawl). The
/// message is the one line the user is told. What the frontier saved before the failure stays consistent:
/// a page is saved as done only with its record, so the same command resumes once the cause is fixed.
/// </summary>
internal sealed class FrontierFailedException(string message, Exception? inner = null) : Exception(message, inner);
