using AsyncFetcher.Core.Fetching;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Parsing;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// Which requests are sitemaps (<c>--sitemaps</c>), and what a sitemap read becomes. The sitemaps a host's
/// robots.txt names (or, with <c>--sitemaps on</c>, its /sitemap.xml when it names none) are queued as links of
/// the page that led to the host; an index's sitemaps are queued at the index's depth, one nesting level down;
/// the URLs a sitemap lists are checked like links (scope, --include/--exclude) and queued at the sitemap's
/// depth, so a sitemap given as a seed stands for the seeds it lists. Called by the scheduler loop only.
/// </summary>
/// <remarks>
/// Which URLs are sitemaps is known in this process only: the frontier keeps URLs, not what they are. A
/// sitemap taken back from a resumed state file, or from a frontier another worker filled, is known by its
/// name instead (a last segment with "sitemap" in it, ending .xml or .xml.gz), as a seed is.
/// </remarks>
internal sealed class SitemapFollower(IFrontier frontier, ScopeFilter scope, CrawlOptions options, CrawlStats stats)
{
    /// <summary>How deep indexes may nest below the first sitemap; sitemaps.org allows none, some sites use one or two.</summary>
    public const int MaxNesting = 3;

    /// <summary>The sitemaps queued in this run, by URL key: how deep each is nested.</summary>
    private readonly Dictionary<string, int> known = new(StringComparer.Ordinal);

    /// <summary>The /sitemap.xml URLs asked for with --sitemaps on though nothing named them, by URL key (<see cref="CrawlRequest.Key"/>).</summary>
    private readonly HashSet<string> guessed = new(StringComparer.Ordinal);

    private bool Enabled => options.Sitemaps != SitemapMode.Off;

    /// <summary>Whether <paramref name="request"/> (or the request it is a redirect hop of) is read as a sitemap.</summary>
    public bool IsSitemap(CrawlRequest request) =>
        Enabled && (known.ContainsKey(request.Origin.Key) || NamedLikeOne(request.Origin.Url, seed: request.Origin.Depth == 0 && request.Origin.Parent is null));

    /// <summary>Whether <paramref name="request"/> is a /sitemap.xml nothing named, asked for with --sitemaps on.</summary>
    public bool IsGuess(CrawlRequest request) => guessed.Contains(request.Origin.Key);

    /// <summary>Queues the sitemaps <paramref name="robots"/> names for <paramref name="first"/>, the host's first request; true when any was new.</summary>
    public async Task<bool> FromRobotsAsync(CrawlRequest first, RobotsTxt robots, CancellationToken cancellationToken)
    {
        if (!Enabled || first.Origin.Depth >= options.Depth)
        {
            return false;
        }
        var named = new List<Uri>();
        foreach (var text in robots.Sitemaps)
        {
            if (UrlNormalizer.TryNormalize(text, first.Url, options.SortQuery, options.MaxUrlLength, out var url))
            {
                named.Add(url);
            }
        }
        if (named.Count == 0 && options.Sitemaps == SitemapMode.On)
        {
            var guess = new Uri(first.Url, "/sitemap.xml");
            named.Add(guess);
            guessed.Add(guess.AbsoluteUri);
        }
        var added = false;
        foreach (var url in named)
        {
            // A sitemap named by robots.txt may be on another host: its owner vouches for it. What it lists is checked against the scope.
            added |= await QueueAsync(new CrawlRequest(url, first.Origin.Depth + 1, first.Url.AbsoluteUri, first.ScopeHost), 0, cancellationToken).ConfigureAwait(false);
        }
        return added;
    }

    /// <summary>
    /// A sitemap request came back (<paramref name="sitemap"/> is null when it was not answered 2xx): queues what it
    /// lists. Returns the record's link count (entries listed) and error, and whether anything new was queued.
    /// </summary>
    public async Task<(int? Listed, string? Error, bool Added)> FollowAsync(CrawlRequest request, FetchResponse response, Sitemap? sitemap, CancellationToken cancellationToken)
    {
        if (sitemap is null)
        {
            return (null, null, false);
        }
        var origin = request.Origin;
        var level = known.GetValueOrDefault(origin.Key);
        var named = known.ContainsKey(origin.Key);
        var error = sitemap.Error;
        if (sitemap.Kind != SitemapKind.NotASitemap && error is not null && response.Truncated)
        {
            error = $"sitemap cut at --max-body ({Units.FormatSize(options.MaxBody)}): the rest not read";
        }
        switch (sitemap.Kind)
        {
            case SitemapKind.NotASitemap:
                // A seed or link only named like a sitemap is the page it is; one robots.txt or an index named is an error.
                return (null, named ? error : null, false);
            case SitemapKind.Index when level >= MaxNesting:
                stats.AddSitemap(0);
                return (sitemap.Entries.Count, $"sitemap index nested more than {MaxNesting} deep: its sitemaps not read", false);
            case SitemapKind.Index:
                stats.AddSitemap(0);
                var added = false;
                foreach (var entry in sitemap.Entries)
                {
                    added |= await QueueAsync(new CrawlRequest(entry.Url, origin.Depth, request.Url.AbsoluteUri, request.ScopeHost), level + 1, cancellationToken).ConfigureAwait(false);
                }
                return (sitemap.Entries.Count, error, added);
            default:
                stats.AddSitemap(sitemap.Entries.Count);
                var listed = new List<ListedUrl>();
                foreach (var entry in sitemap.Entries)
                {
                    if (scope.Allows(request, entry.Url) && scope.TakeQueryVariant(entry.Url))
                    {
                        listed.Add(new ListedUrl(new CrawlRequest(entry.Url, origin.Depth, request.Url.AbsoluteUri, request.ScopeHost), entry.LastModified));
                    }
                }
                stats.SetOutOfScope(scope.OutOfScope);
                if (listed.Count > 0)
                {
                    await frontier.AddListedAsync(listed, cancellationToken).ConfigureAwait(false);
                }
                return (sitemap.Entries.Count, error, listed.Count > 0);
        }
    }

    /// <summary>Queues a sitemap and remembers it as one, even when the frontier saw it before (a resumed crawl is given it back as a URL).</summary>
    private async Task<bool> QueueAsync(CrawlRequest sitemap, int level, CancellationToken cancellationToken)
    {
        if (!known.TryAdd(sitemap.Key, level))
        {
            return false;
        }
        return await frontier.AddAsync(sitemap, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a URL's name says sitemap: for a seed, any path ending .xml or .xml.gz (the user named it); for
    /// another URL, also "sitemap" in its last segment, so an ordinary XML link (a feed) stays a page.
    /// </summary>
    internal static bool NamedLikeOne(Uri url, bool seed)
    {
        var path = url.AbsolutePath;
        var last = path[(path.LastIndexOf('/') + 1)..];
        var xml = last.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || last.EndsWith(".xml.gz", StringComparison.OrdinalIgnoreCase);
        return xml && (seed || last.Contains("sitemap", StringComparison.OrdinalIgnoreCase));
    }
}
