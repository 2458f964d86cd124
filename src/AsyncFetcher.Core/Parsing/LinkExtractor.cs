using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using AngleSharp.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads a page with AngleSharp's HTML tokenizer and returns its title and the links a crawler
/// may follow: a[href], area[href] and link[rel=next|prev], resolved against &lt;base href&gt; or
/// the page's own URL, honouring meta robots and rel="nofollow".
/// </summary>
/// <remarks>
/// A crawler needs a handful of attributes, not a DOM: driving the tokenizer skips building
/// the tree, which made extraction about three times faster than a full parse on the Python
/// docs (see docs/performance.md). Like the tree builder, it switches the tokenizer into raw
/// text modes inside script, style, title and textarea, so markup inside them is not mistaken
/// for links.
/// </remarks>
internal sealed class LinkExtractor(bool followNofollow, bool sortQuery, int maxUrlLength)
{
    public PageLinks Extract(string html, Uri pageUrl)
    {
        var tokenizer = new HtmlTokenizer(new TextSource(html), HtmlEntityProvider.Resolver);
        var hrefs = new List<string>();
        string? baseHref = null;
        string? title = null;
        var inTitle = false;
        var titleText = new System.Text.StringBuilder();
        bool noIndex = false, noFollow = false;
        var found = 0;

        while (true)
        {
            var token = tokenizer.Get();
            if (token.Type == HtmlTokenType.EndOfFile)
            {
                break;
            }
            if (inTitle)
            {
                if (token.Type == HtmlTokenType.Character)
                {
                    titleText.Append(token.Data);
                    continue;
                }
                inTitle = false;
                title ??= titleText.ToString();
            }
            if (token.Type != HtmlTokenType.StartTag)
            {
                continue;
            }
            var tag = (HtmlTagToken)token;
            switch (tag.Name)
            {
                case "a" or "area":
                    if (HasAttribute(tag, "href"))
                    {
                        found++;
                        if (followNofollow || !HasToken(tag.GetAttribute("rel"), "nofollow"))
                        {
                            hrefs.Add(tag.GetAttribute("href"));
                        }
                    }
                    break;
                case "link":
                    var rel = tag.GetAttribute("rel");
                    if ((HasToken(rel, "next") || HasToken(rel, "prev")) && HasAttribute(tag, "href"))
                    {
                        found++;
                        if (followNofollow || !HasToken(rel, "nofollow"))
                        {
                            hrefs.Add(tag.GetAttribute("href"));
                        }
                    }
                    break;
                case "base":
                    if (baseHref is null && HasAttribute(tag, "href"))
                    {
                        baseHref = tag.GetAttribute("href");
                    }
                    break;
                case "meta":
                    if (string.Equals(tag.GetAttribute("name"), "robots", StringComparison.OrdinalIgnoreCase))
                    {
                        var content = tag.GetAttribute("content");
                        var none = HasToken(content, "none");
                        noIndex |= none || HasToken(content, "noindex");
                        noFollow |= none || HasToken(content, "nofollow");
                    }
                    break;
                case "title" when !tag.IsSelfClosing:
                    tokenizer.State = HtmlParseMode.RCData;
                    inTitle = title is null;
                    titleText.Clear();
                    break;
                case "textarea" when !tag.IsSelfClosing:
                    tokenizer.State = HtmlParseMode.RCData;
                    break;
                case "script" when !tag.IsSelfClosing:
                    tokenizer.State = HtmlParseMode.Script;
                    break;
                case "style" or "xmp" or "iframe" or "noembed" or "noframes" when !tag.IsSelfClosing:
                    tokenizer.State = HtmlParseMode.Rawtext;
                    break;
                case "plaintext":
                    tokenizer.State = HtmlParseMode.Plaintext;
                    break;
            }
        }
        if (inTitle)
        {
            title ??= titleText.ToString();
        }

        var baseUrl = pageUrl;
        if (baseHref is not null && Uri.TryCreate(pageUrl, baseHref.Trim(), out var resolvedBase) && resolvedBase.IsAbsoluteUri)
        {
            baseUrl = resolvedBase;
        }
        var links = new List<Uri>(noFollow ? 0 : hrefs.Count);
        if (!noFollow)
        {
            foreach (var href in hrefs)
            {
                if (UrlNormalizer.TryNormalize(href, baseUrl, sortQuery, maxUrlLength, out var url))
                {
                    links.Add(url);
                }
            }
        }
        title = CollapseWhitespace(title);
        return new PageLinks(string.IsNullOrEmpty(title) ? null : title, links, found, noIndex, noFollow);
    }

    private static bool HasAttribute(HtmlTagToken tag, string name)
    {
        foreach (var attribute in tag.Attributes)
        {
            if (attribute.Name == name)
            {
                return true;
            }
        }
        return false;
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
