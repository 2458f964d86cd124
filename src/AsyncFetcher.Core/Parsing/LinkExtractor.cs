using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using AngleSharp.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads a page and returns its title and the links a crawler may follow: a[href], area[href]
/// and link[rel=next|prev], resolved against &lt;base href&gt; or the page's own URL, honouring
/// meta robots and rel="nofollow" (the rules live in <see cref="PageLinksBuilder"/>).
/// </summary>
/// <remarks>
/// Pages in UTF-8 or a single-byte code page are read by <see cref="HtmlByteScanner"/> straight
/// from their bytes, more than ten times faster than the tokenizer over decoded text (see
/// bench/LinkScan/README.md). Other pages are decoded and read with AngleSharp's HTML tokenizer,
/// which is also the reference the scanner is tested against. A crawler needs a handful of
/// attributes, not a DOM, so the tokenizer is driven without building the tree; like the tree
/// builder, it is switched into raw text modes inside script, style, title and textarea, so
/// markup inside them is not mistaken for links.
/// </remarks>
internal sealed class LinkExtractor(LinkRules rules)
{
    /// <summary>Hrefs resolved on earlier pages of the crawl, by directory.</summary>
    private readonly HrefCache hrefs = new();

    public LinkExtractor(bool followNofollow, bool sortQuery, int maxUrlLength)
        : this(new LinkRules(followNofollow, sortQuery, maxUrlLength))
    {
    }

    /// <summary>
    /// Reads an HTML body whose charset comes from <paramref name="headerCharset"/>, a BOM or a meta
    /// tag. A charset that cannot be used gives way to the next source (down to UTF-8) and a note.
    /// </summary>
    public PageLinks Extract(ReadOnlySpan<byte> body, string? headerCharset, Uri pageUrl)
    {
        var encoding = HtmlDecoder.DetectEncoding(body, headerCharset, out var preambleLength, out var unusable);
        var note = unusable is null ? null : $"charset '{unusable}' not supported, read as {encoding.WebName}";
        body = body[preambleLength..];
        if (HtmlDecoder.IsAsciiCompatible(encoding))
        {
            var page = new PageLinksBuilder(rules, pageUrl, hrefs);
            var scanned = HtmlByteScanner.TryScan(body, encoding, page);
            if (scanned && page.NeedsRescan)
            {
                page = page.WithBase();
                scanned = HtmlByteScanner.TryScan(body, encoding, page);
            }
            if (scanned)
            {
                return page.Build(note);
            }
        }
        return ExtractWithTokenizer(encoding.GetString(body), pageUrl, note);
    }

    /// <summary>Reads decoded HTML with AngleSharp's tokenizer.</summary>
    public PageLinks ExtractWithTokenizer(string html, Uri pageUrl, string? note = null)
    {
        var page = Tokenize(html, new PageLinksBuilder(rules, pageUrl, hrefs));
        return (page.NeedsRescan ? Tokenize(html, page.WithBase()) : page).Build(note);
    }

    private static PageLinksBuilder Tokenize(string html, PageLinksBuilder page)
    {
        var tokenizer = new HtmlTokenizer(new TextSource(html), HtmlEntityProvider.Resolver);
        var inTitle = false;
        var titleText = new System.Text.StringBuilder();

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
                    // A record keeps RecordText.MaxLength characters: a bounded prefix is plenty.
                    if (titleText.Length < 64 * 1024)
                    {
                        titleText.Append(token.Data);
                    }
                    continue;
                }
                inTitle = false;
                page.Title(titleText.ToString());
            }
            if (token.Type != HtmlTokenType.StartTag)
            {
                continue;
            }
            var tag = (HtmlTagToken)token;
            switch (tag.Name)
            {
                case "a" or "area" when page.Full:
                    if (HasAttribute(tag, "href"))
                    {
                        page.OverCap();
                    }
                    break;
                case "a" or "area":
                    if (HasAttribute(tag, "href"))
                    {
                        page.Anchor(tag.GetAttribute("href"), HasAttribute(tag, "rel") ? tag.GetAttribute("rel") : null);
                    }
                    break;
                case "link" when page.Full:
                    if (HasAttribute(tag, "href") && PageLinksBuilder.IsWalked(tag.GetAttribute("rel")))
                    {
                        page.OverCap();
                    }
                    break;
                case "link":
                    page.Link(tag.GetAttribute("rel"), HasAttribute(tag, "href") ? tag.GetAttribute("href") : null);
                    break;
                case "base":
                    if (HasAttribute(tag, "href"))
                    {
                        page.Base(tag.GetAttribute("href"));
                    }
                    break;
                case "meta":
                    page.Meta(tag.GetAttribute("name"), tag.GetAttribute("content"));
                    break;
                case "title" when !tag.IsSelfClosing:
                    tokenizer.State = HtmlParseMode.RCData;
                    inTitle = !page.HasTitle;
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
            page.Title(titleText.ToString());
        }
        return page;
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
}
