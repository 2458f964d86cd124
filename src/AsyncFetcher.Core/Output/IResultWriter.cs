using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output;

/// <summary>Writes records as they arrive; each write is flushed, so a killed run leaves only whole records.</summary>
public interface IResultWriter : IAsyncDisposable
{
    /// <summary>Writes and flushes one record.</summary>
    ValueTask WriteAsync(CrawlResult result, CancellationToken cancellationToken);
}
