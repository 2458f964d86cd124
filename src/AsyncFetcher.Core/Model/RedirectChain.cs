namespace AsyncFetcher.Core.Model;

/// <summary>How a redirect hop was reached: the original request, the URLs on the way, and what they cost.</summary>
/// <param name="Origin">The request the record is for.</param>
/// <param name="Urls">Every URL of the chain so far, the origin first (to tell a loop).</param>
/// <param name="Attempts">HTTP requests made so far.</param>
/// <param name="Elapsed">Time spent so far.</param>
public sealed record RedirectChain(CrawlRequest Origin, IReadOnlyList<string> Urls, int Attempts, TimeSpan Elapsed)
{
    /// <summary>Why each retry so far was made (<see cref="CrawlResult.Retries"/>).</summary>
    public IReadOnlyList<string> Retries { get; init; } = [];

    /// <summary>Redirects followed so far.</summary>
    public int Count => Urls.Count - 1;
}
