using System.Text;

namespace AsyncFetcher.Core.Tests.Parsing;

/// <summary>
/// Makes small random HTML documents, as bytes, from fragments chosen to hit the tokenizer's
/// corners: tag and attribute spellings, quotes, comments, raw text, character references and
/// stray bytes. Seeded, so a failure names a document that can be made again.
/// </summary>
/// <remarks>
/// Nothing had to be left out for the readers to agree, not even AngleSharp's quirks (U+FFFF,
/// its end-of-file marker, read as U+FFFD; "&amp;;" losing its ';'), which the scanner copies. The
/// only inputs the scanner does not read itself, scripts that may be double-escaped, are in the
/// grammar too ("&lt;!--&lt;script&gt;"): those pages go to the tokenizer and are counted.
/// </remarks>
internal sealed class HtmlFragmentGenerator(int seed)
{
    private static readonly string[] TagNames =
    [
        "a", "A", "area", "AREA", "link", "Link", "base", "meta", "META", "title", "TITLE", "textarea",
        "script", "SCRIPT", "style", "xmp", "iframe", "noembed", "noframes", "div", "p", "span", "img",
        "svg", "x-a", "ab", "abbr", "scripts", "titles", "a\u00e9", "bas", "metas",
    ];

    private static readonly string[] AttributeNames =
    [
        "href", "HREF", "Href", "rel", "REL", "name", "content", "CONTENT", "class", "id", "=x", "\"q",
        "'s", "<z", "data-href", "hreff", "hre", "target", "href\u00e9", "/",
    ];

    private static readonly string[] Values =
    [
        "/p1", "p2", "../up/p3.html", "p4?a=1&amp;b=2", "&#x2F;slash", "&#47;dec", "/q?x=1&copy=2", "&copy",
        "&notit;", "&ampx", "&amp", "&amp;", "&", "&#", "&#x;", "&#;", "&;", "&lt;&gt;", "&#0;", "&#128;", "&#x80;",
        "&#13;", "&#xD800;", "&#x110000;", "&#99999999999;", "&#x1F600;", "&CounterClockwiseContourIntegral;",
        "&aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa;", "a b", " /spaced ", "nofollow", "next", "prev", "NEXT prev",
        "external nofollow", "robots", "ROBOTS", "noindex", "noindex,nofollow", "none", "follow", "\u00e9t\u00e9",
        "/\u65e5\u672c", "mailto:x@y", "javascript:void(0)", "#frag", "", "http://other.test/x", "//cdn.test/y",
        "\\back\\slash", "x\ty", "x\ry", "x\r\ny", "nul\0byte", "a=b", "`tick`", "a\uffffb", "\uffff", "x/", "/", ">", "\"", "'",
    ];

    private static readonly string[] Fragments =
    [
        "text ", "a<b ", "< a", "<3", " x > y ", "&amp;", "&", "&#", "&#x41;", "<", ">", "\n", "  ", "\u00e9", "\u65e5\u672c",
        "<!--", "-->", "<!-->", "<!--->", "<!---->", "--!>", "<!-- <a href=/c1> -->", "<!--!>", "-", "--", "!",
        "<!", "<!x>", "<?x>", "<?", "</3>", "</>", "</", "<!doctype html>", "<!DOCTYPE x \"a>b\">", "<![CDATA[<a href=/cd>]]>",
        "</a>", "</title>", "</TITLE >", "</title/>", "</script>", "</script x=\">\">", "</SCRIPT\n>", "</style>",
        "</textarea>", "</xmp>", "</iframe>", "</noembed>", "</noframes>", "</scripty>", "</ title>", "</titl", "</scrip",
        "<!--<script>", "<!--x<script>", "<script>", "</script", "\0", "\r\n", "\r", "\f", "/>", "=", "\"", "'",
        "<meta name=\"robots\" content=\"noindex\">", "<meta name=ROBOTS content='none'>", "<meta content=nofollow name=robots>",
        "<meta name=robots content=\"index, follow\">", "<base href=/b/>", "<base href=\"http://other.test/base/\">", "<base>", "\uffff", "<title>x\uffffy</title>",
    ];

    private const string StrayAscii = "<>\"'=/&;#-! \t\nax";

    private readonly Random random = new(seed);

    static HtmlFragmentGenerator()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    /// <summary>The next document and the charset a server would declare for it (null for none).</summary>
    public (byte[] Body, string? Charset) Next()
    {
        var (encoding, charset) = random.Next(10) switch
        {
            < 7 => (Encoding.UTF8, (string?)null),
            7 => (Encoding.GetEncoding(1252), "windows-1252"),
            8 => (Encoding.GetEncoding(28592), "iso-8859-2"),
            _ => (Encoding.UTF8, "utf-8"),
        };
        var bytes = new List<byte>();
        var count = random.Next(1, 24);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(12))
            {
                case < 5:
                    Add(bytes, encoding, StartTag());
                    break;
                case 5:
                case 6:
                    Add(bytes, encoding, Pick(Fragments));
                    break;
                case 7:
                    Add(bytes, encoding, $"</{Pick(TagNames)}{(random.Next(3) == 0 ? Attributes() : "")}>");
                    break;
                case 8:
                    // Stray bytes: broken UTF-8 in a UTF-8 page, any character in a single-byte one.
                    for (var j = random.Next(1, 4); j > 0; j--)
                    {
                        bytes.Add((byte)random.Next(0x80, 0x100));
                    }
                    break;
                case 9:
                    for (var j = random.Next(1, 6); j > 0; j--)
                    {
                        bytes.Add((byte)StrayAscii[random.Next(StrayAscii.Length)]);
                    }
                    break;
                default:
                    Add(bytes, encoding, Pick(Values));
                    break;
            }
        }
        if (random.Next(8) == 0)
        {
            // A tag or value cut off by the end of the page.
            Add(bytes, encoding, random.Next(2) == 0 ? "<a href=\"/cut" : "<a href=/cut");
        }
        return (bytes.ToArray(), charset);
    }

    private string StartTag()
    {
        var tag = Pick(TagNames);
        var close = random.Next(6) switch
        {
            0 => "/>",
            1 => " />",
            2 => "//>",
            _ => ">",
        };
        var body = random.Next(4) == 0 ? Pick(Fragments) + $"<a href={Pick(Values)}>" + Pick(Fragments) : "";
        return $"<{tag}{Attributes()}{close}{body}";
    }

    private string Attributes()
    {
        var text = new StringBuilder();
        for (var i = random.Next(4); i > 0; i--)
        {
            text.Append(random.Next(5) switch
            {
                0 => "\n",
                1 => "/",
                2 => "  ",
                _ => " ",
            });
            text.Append(Pick(AttributeNames));
            var value = Pick(Values);
            var spaces = random.Next(4) == 0 ? " " : "";
            text.Append(random.Next(5) switch
            {
                0 => "",
                1 => $"{spaces}={spaces}{value.Replace(" ", "", StringComparison.Ordinal).Replace(">", "", StringComparison.Ordinal)}",
                2 => $"{spaces}={spaces}'{value.Replace("'", "", StringComparison.Ordinal)}'",
                _ => $"{spaces}={spaces}\"{value.Replace("\"", "", StringComparison.Ordinal)}\"",
            });
        }
        return text.ToString();
    }

    private string Pick(string[] choices) => choices[random.Next(choices.Length)];

    private static void Add(List<byte> bytes, Encoding encoding, string text) => bytes.AddRange(encoding.GetBytes(text));
}
