using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads a page with AngleSharp and returns its title and the links a crawler may follow:
/// a[href], area[href] and link[rel=next|prev], resolved against &lt;base href&gt; or the page's
/// own URL, honouring meta robots and rel="nofollow".
/// </summary>
internal sealed class LinkExtractor(bool followNofollow, bool sortQuery, int maxUrlLength)
{
    private static readonly HtmlParserOptions ParserOptions = new() { IsScripting = false, IsKeepingSourceReferences = false };

    public PageLinks Extract(string html, Uri pageUrl)
    {
        var parser = new HtmlParser(ParserOptions);
        using var document = parser.ParseDocument(html);

        var (noIndex, noFollow) = MetaRobots(document);
        var baseUrl = pageUrl;
        if (document.QuerySelector("base[href]")?.GetAttribute("href") is { } baseHref &&
            Uri.TryCreate(pageUrl, baseHref.Trim(), out var resolvedBase) && resolvedBase.IsAbsoluteUri)
        {
            baseUrl = resolvedBase;
        }

        var found = 0;
        var links = new List<Uri>();
        foreach (var element in document.QuerySelectorAll("a[href], area[href], link[href]"))
        {
            var rel = element.GetAttribute("rel");
            if (element.LocalName == "link" && !HasToken(rel, "next") && !HasToken(rel, "prev"))
            {
                continue;
            }
            found++;
            if (noFollow || (!followNofollow && HasToken(rel, "nofollow")))
            {
                continue;
            }
            if (UrlNormalizer.TryNormalize(element.GetAttribute("href")!, baseUrl, sortQuery, maxUrlLength, out var url))
            {
                links.Add(url);
            }
        }
        var title = document.Title?.Trim();
        return new PageLinks(string.IsNullOrEmpty(title) ? null : title, links, found, noIndex, noFollow);
    }

    private static (bool NoIndex, bool NoFollow) MetaRobots(IDocument document)
    {
        bool noIndex = false, noFollow = false;
        foreach (var meta in document.QuerySelectorAll("meta[name][content]"))
        {
            if (!string.Equals(meta.GetAttribute("name"), "robots", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var content = meta.GetAttribute("content");
            var none = HasToken(content, "none");
            noIndex |= none || HasToken(content, "noindex");
            noFollow |= none || HasToken(content, "nofollow");
        }
        return (noIndex, noFollow);
    }

    private static bool HasToken(string? list, string token)
    {
        if (list is null)
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
