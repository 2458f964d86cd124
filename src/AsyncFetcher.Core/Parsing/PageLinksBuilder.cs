namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// What the link extractors report about one page, element by element; it decides which
/// elements count, so the byte scanner and the AngleSharp path share one set of rules:
/// a[href] and area[href], link[rel~=next|prev][href], the first base[href], meta robots,
/// rel="nofollow" and the first title.
/// </summary>
/// <remarks>
/// Links are resolved and normalised as they are reported, and only the distinct results are kept,
/// so a page never holds its hrefs and its links at once, and stops taking links at
/// <see cref="LinkRules.MaxLinks"/> (the rest are counted, not even decoded: see <see cref="Full"/>).
/// A &lt;base href&gt; after the first link changes how every link resolves, so the reader starts
/// the page over with the base known (<see cref="NeedsRescan"/>): rare, and exact.
/// </remarks>
internal sealed class PageLinksBuilder
{
    private readonly LinkRules rules;
    private readonly Uri pageUrl;
    private readonly HrefCache cache;
    private readonly List<Uri> links = [];
    private HrefCache.Directory resolved;
    private readonly HashSet<string> distinct = new(StringComparer.Ordinal);
    private Uri baseUrl;
    private string? baseHref;
    private string? title;
    private bool noIndex;
    private bool noFollow;
    private bool added;
    private int found;
    private int overCap;

    /// <param name="cache">The crawl's resolved hrefs, shared with its other pages; null for this page's own.</param>
    public PageLinksBuilder(LinkRules rules, Uri pageUrl, HrefCache? cache = null)
        : this(rules, pageUrl, cache ?? new HrefCache(), knownBase: null)
    {
    }

    private PageLinksBuilder(LinkRules rules, Uri pageUrl, HrefCache cache, string? knownBase)
    {
        this.rules = rules;
        this.pageUrl = pageUrl;
        this.cache = cache;
        baseUrl = pageUrl;
        if (knownBase is not null)
        {
            baseHref = knownBase;
            baseUrl = ResolveBase(pageUrl, knownBase);
        }
        resolved = cache.For(baseUrl);
    }

    /// <summary>A title was already seen: only the first one counts, even when empty.</summary>
    public bool HasTitle => title is not null;

    /// <summary>The page reached its link cap: further link elements are only counted (<see cref="OverCap"/>).</summary>
    public bool Full => rules.MaxLinks > 0 && links.Count >= rules.MaxLinks;

    /// <summary>A base element came after links that were resolved without it: read the page again with <see cref="WithBase"/>.</summary>
    public bool NeedsRescan { get; private set; }

    /// <summary>A fresh builder for the same page that knows its base from the start.</summary>
    public PageLinksBuilder WithBase() => new(rules, pageUrl, cache, baseHref);

    /// <summary>An a or area element with an href attribute; <paramref name="rel"/> is null when absent.</summary>
    public void Anchor(string href, string? rel)
    {
        found++;
        if (rules.FollowNofollow || !HasToken(rel, "nofollow"))
        {
            Add(href);
        }
    }

    /// <summary>A link element past the cap (an anchor, or a link with rel next or prev), counted without its href.</summary>
    public void OverCap()
    {
        found++;
        overCap++;
    }

    /// <summary>
    /// A link element; <paramref name="rel"/> is empty when absent and <paramref name="href"/> null
    /// when absent. Only rel=next and rel=prev are pages a crawler walks.
    /// </summary>
    public void Link(string rel, string? href)
    {
        if (href is not null && IsWalked(rel))
        {
            found++;
            if (rules.FollowNofollow || !HasToken(rel, "nofollow"))
            {
                Add(href);
            }
        }
    }

    /// <summary>True for a link element's rel that names a page a crawler walks.</summary>
    public static bool IsWalked(string? rel) => HasToken(rel, "next") || HasToken(rel, "prev");

    /// <summary>A base element with an href attribute: the first one wins.</summary>
    public void Base(string href)
    {
        if (baseHref is not null)
        {
            return;
        }
        baseHref = href;
        var resolvedBase = ResolveBase(pageUrl, href);
        if (resolvedBase != baseUrl && (added || overCap > 0))
        {
            NeedsRescan = true;
        }
        baseUrl = resolvedBase;
        resolved = cache.For(baseUrl);
    }

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

    public PageLinks Build(string? note = null)
    {
        var text = RecordText.Cut(CollapseWhitespace(title));
        if (overCap > 0)
        {
            var capped = $"{overCap} link(s) past --max-links-per-page ({rules.MaxLinks}) not followed";
            note = note is null ? capped : $"{note}; {capped}";
        }
        return new PageLinks(string.IsNullOrEmpty(text) ? null : text, noFollow ? [] : links, found, noIndex, noFollow)
        {
            LinksOverCap = overCap,
            Note = note,
        };
    }

    private void Add(string href)
    {
        if (Full)
        {
            overCap++;
            return;
        }
        added = true;
        if (!UrlNormalizer.TryNormalize(href, baseUrl, rules.SortQuery, rules.MaxUrlLength, resolved, out var url))
        {
            return;
        }
        // Two spellings of one target ("a.html", "./a.html#x") give one link, here in the worker
        // rather than in the engine's single scheduler loop.
        if (distinct.Add(url.AbsoluteUri))
        {
            links.Add(url);
        }
    }

    private static Uri ResolveBase(Uri pageUrl, string href) =>
        Uri.TryCreate(pageUrl, href.Trim(), out var resolvedBase) && resolvedBase.IsAbsoluteUri ? resolvedBase : pageUrl;

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
