namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// What the link extractors report about one page, element by element; it decides which
/// elements count, so the byte scanner and the AngleSharp path share one set of rules:
/// a[href] and area[href], link[rel~=next|prev][href], the first base[href], meta robots,
/// rel="nofollow" and the first title.
/// </summary>
internal sealed class PageLinksBuilder(bool followNofollow, bool sortQuery, int maxUrlLength)
{
    private readonly List<string> hrefs = [];
    private string? baseHref;
    private string? title;
    private bool noIndex;
    private bool noFollow;
    private int found;

    /// <summary>A title was already seen: only the first one counts, even when empty.</summary>
    public bool HasTitle => title is not null;

    /// <summary>An a or area element with an href attribute; <paramref name="rel"/> is null when absent.</summary>
    public void Anchor(string href, string? rel)
    {
        found++;
        if (followNofollow || !HasToken(rel, "nofollow"))
        {
            hrefs.Add(href);
        }
    }

    /// <summary>
    /// A link element; <paramref name="rel"/> is empty when absent and <paramref name="href"/> null
    /// when absent. Only rel=next and rel=prev are pages a crawler walks.
    /// </summary>
    public void Link(string rel, string? href)
    {
        if (href is not null && (HasToken(rel, "next") || HasToken(rel, "prev")))
        {
            found++;
            if (followNofollow || !HasToken(rel, "nofollow"))
            {
                hrefs.Add(href);
            }
        }
    }

    /// <summary>A base element with an href attribute: the first one wins.</summary>
    public void Base(string href) => baseHref ??= href;

    /// <summary>A meta element; absent attributes are empty strings.</summary>
    public void Meta(string name, string content)
    {
        if (string.Equals(name, "robots", StringComparison.OrdinalIgnoreCase))
        {
            var none = HasToken(content, "none");
            noIndex |= none || HasToken(content, "noindex");
            noFollow |= none || HasToken(content, "nofollow");
        }
    }

    /// <summary>The text of a title element; the first one wins.</summary>
    public void Title(string text) => title ??= text;

    public PageLinks Build(Uri pageUrl)
    {
        var baseUrl = pageUrl;
        if (baseHref is not null && Uri.TryCreate(pageUrl, baseHref.Trim(), out var resolvedBase) && resolvedBase.IsAbsoluteUri)
        {
            baseUrl = resolvedBase;
        }
        var links = new List<Uri>(noFollow ? 0 : hrefs.Count);
        if (!noFollow)
        {
            var resolved = new Dictionary<string, Uri?>(StringComparer.Ordinal);
            // Two spellings of one target ("a.html", "./a.html#x") give one link, here in the worker
            // rather than in the engine's single scheduler loop.
            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (var href in hrefs)
            {
                if (UrlNormalizer.TryNormalize(href, baseUrl, sortQuery, maxUrlLength, resolved, out var url) && distinct.Add(url.AbsoluteUri))
                {
                    links.Add(url);
                }
            }
        }
        var text = CollapseWhitespace(title);
        return new PageLinks(string.IsNullOrEmpty(text) ? null : text, links, found, noIndex, noFollow);
    }

    private static string? CollapseWhitespace(string? text)
    {
        if (text is null)
        {
            return null;
        }
        var trimmed = text.Trim();
        return trimmed.AsSpan().IndexOfAny("\t\n\r\f  ") < 0 ? trimmed : string.Join(' ', trimmed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static bool HasToken(string? list, string token)
    {
        if (string.IsNullOrEmpty(list))
        {
            return false;
        }
        foreach (var range in list.AsSpan().SplitAny(" ,\t\n\r\f"))
        {
            if (list.AsSpan()[range].Equals(token, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
