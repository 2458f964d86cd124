namespace AsyncFetcher.Core.Engine;

/// <summary>
/// A crawl that cannot go on: its output or its frontier failed mid-run (a full disk, a damaged or read-only
/// state file, a shared frontier lost). The message is the one line for the user; what was saved is consistent.
/// </summary>
internal sealed class CrawlFailedException(string message, Exception inner) : Exception(message, inner);
