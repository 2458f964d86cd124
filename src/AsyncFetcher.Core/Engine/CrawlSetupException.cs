namespace AsyncFetcher.Core.Engine;

/// <summary>A crawl that cannot start: its state or its output cannot be used. The message is the one line for the user.</summary>
internal sealed class CrawlSetupException(string message, bool badInput, Exception inner) : Exception(message, inner)
{
    /// <summary>True when what the user gave is at fault (a file that is not a state file), false when the system is (permissions, I/O).</summary>
    public bool BadInput { get; } = badInput;
}
