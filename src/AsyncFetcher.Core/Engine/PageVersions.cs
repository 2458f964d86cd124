using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// Compares a page fetched again with what the state saved of it from an earlier crawl, and says
/// what to save of it now: its validators, the hash of its body, where its content is archived.
/// </summary>
internal static class PageVersions
{
    /// <summary>How the page compares, and what to save of it.</summary>
    /// <param name="before">What the state saved of the page; null when nothing.</param>
    /// <param name="response">The last response of the URL's fetch (after any redirects).</param>
    /// <param name="redirected">The URL redirected: the validators belong to where it led, so none are saved for it.</param>
    /// <param name="now">When the fetch completed.</param>
    /// <returns>The record's <c>changed</c>; what the summary counts (null when no response came); the version to save (null: leave what is saved).</returns>
    public static (bool? Changed, PageChange? Change, PageVersion? Save) Compare(PageVersion? before, FetchResponse response, bool redirected, DateTimeOffset now)
    {
        if (response.Status is not { } status)
        {
            return (null, null, null);
        }
        if (status == 304 && before is not null)
        {
            // The server vouches for the earlier content: it stays archived where it was.
            return (false, PageChange.Unchanged, before with
            {
                FetchedAt = now,
                ETag = response.ETag ?? before.ETag,
                LastModified = response.LastModified ?? before.LastModified,
            });
        }
        var capture = response.Capture is { IsComplete: true } complete ? complete : null;
        var save = new PageVersion
        {
            Status = status,
            ETag = redirected ? null : response.ETag,
            LastModified = redirected ? null : response.LastModified,
            BodyHash = response.BodyHash,
            FetchedAt = now,
            CapturedAt = capture?.Date,
            RecordId = capture?.ResponseRecordId,
            PayloadDigest = capture?.PayloadDigest,
        };
        if (before is null)
        {
            return (null, PageChange.New, save);
        }
        if (before.Status == status && before.BodyHash == response.BodyHash)
        {
            // The same content, fetched whole (the server ignored the validators, or sent none): archived now, or still where it was.
            return (false, PageChange.Unchanged, capture is not null ? save : save with
            {
                CapturedAt = before.CapturedAt,
                RecordId = before.RecordId,
                PayloadDigest = before.PayloadDigest,
            });
        }
        var gone = status is 404 or 410 && before.Status is not (404 or 410);
        return (true, gone ? PageChange.Gone : PageChange.Changed, save);
    }
}
