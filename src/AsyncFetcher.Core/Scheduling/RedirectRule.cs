using System.Diagnostics.CodeAnalysis;
using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The rule every redirect hop is checked by, for pages and robots.txt alike: the target must be a URL
/// we crawl (normalised like a link), not one already on the chain (a loop), and the chain no longer
/// than <c>--max-redirects</c>. A page's hop is then checked against scope and the seen set as well
/// (the engine's <c>RedirectFollower</c>); a robots.txt hop is not, as RFC 9309 follows it across hosts.
/// </summary>
internal static class RedirectRule
{
    /// <summary>Whether a redirect from the chain <paramref name="urls"/> (the origin first) to <paramref name="location"/> may be followed.</summary>
    /// <param name="target">The normalised URL of the next hop; null when <paramref name="location"/> is not one we crawl.</param>
    /// <param name="refusal">Why the chain ends here, when it does.</param>
    public static bool TryFollow(IReadOnlyList<string> urls, Uri location, CrawlOptions options, [NotNullWhen(true)] out Uri? target, [NotNullWhen(false)] out string? refusal)
    {
        if (!UrlNormalizer.TryNormalize(location.AbsoluteUri, options.SortQuery, options.MaxUrlLength, out target))
        {
            refusal = "redirect to an unsupported URL";
            return false;
        }
        if (urls.Contains(target.AbsoluteUri))
        {
            refusal = "redirect loop";
            return false;
        }
        if (urls.Count > options.MaxRedirects)
        {
            refusal = "too many redirects";
            return false;
        }
        refusal = null;
        return true;
    }
}
