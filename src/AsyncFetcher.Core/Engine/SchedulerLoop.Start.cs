using AsyncFetcher.Core.Model;
using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Core.Engine;

/// <summary>How the scheduler loop starts: what earlier runs on the state saved, and the seeds.</summary>
internal sealed partial class SchedulerLoop
{
    /// <summary>Reads what earlier runs saved and queues the seeds.</summary>
    private async Task StartAsync(IEnumerable<Uri> seeds)
    {
        try
        {
            earlierPages = (await handoff.LoadAsync(giveUp.Token).ConfigureAwait(false)).Pages;
            pagesDispatched = earlierPages;
            if (earlierPages > 0)
            {
                logger.LogInformation("resuming: {Pages} page(s) done in earlier runs", earlierPages);
            }
            foreach (var seed in seeds)
            {
                // Seeds given again on resume are seen already: adding them is idempotent (and a stop may cut it short).
                await frontier.AddAsync(new CrawlRequest(seed, 0, null, seed.IdnHost), takeToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
        {
            GiveUpOnFrontier();
        }
        catch (OperationCanceledException) when (takeToken.IsCancellationRequested)
        {
            // Stopped before the crawl began: the stop event, next, ends it.
        }
    }
}
