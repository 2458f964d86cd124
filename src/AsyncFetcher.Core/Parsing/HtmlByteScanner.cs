using System.Text;
using static AsyncFetcher.Core.Parsing.HtmlBytes;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads links, the title and meta robots straight from the bytes of a page in an ASCII-compatible
/// encoding (see <see cref="HtmlDecoder.IsAsciiCompatible"/>), without decoding the page: markup
/// is ASCII, so only the attribute values and the title that are kept get decoded.
/// </summary>
/// <remarks>
/// <para>It follows the WHATWG tokenizer states as AngleSharp's HtmlTokenizer implements them, which
/// is the reference it is tested against (LinkExtractorDifferentialTests): tags, attributes
/// (quoted, unquoted, without value; the first of a duplicated name wins), comments (including
/// <c>&lt;!--&gt;</c>, <c>&lt;!---&gt;</c> and <c>--!&gt;</c>), bogus comments and doctypes, and the
/// raw text of script, style, xmp, iframe, noembed and noframes, the RCDATA of title and textarea,
/// and plaintext. Text between tags is skipped with a vectorised search for '&lt;'; everything
/// else is a few comparisons per tag.</para>
/// <para>One case is handed back to AngleSharp (<see cref="TryScan"/> returns false): a script
/// holding "&lt;!--" and later "&lt;script". There the tokenizer may enter its double-escaped
/// state, where "&lt;/script&gt;" does not end the script; AngleSharp enters it only in a few
/// narrow spellings, and copying its exact rules is not worth it for pages that rare.</para>
/// </remarks>
internal ref partial struct HtmlByteScanner
{
    private const int EndOfPage = -1;
    private const int GiveUp = -2;

    // Bytes of a title decoded: room for RecordText.MaxLength characters after references and spaces are folded.
    private const int MaxTitleBytes = 64 * 1024;

    private readonly ReadOnlySpan<byte> html;
    private readonly Encoding encoding;
    private readonly PageLinksBuilder page;

    // The attributes read from an a, area, link, base or meta tag; the first of each name wins.
    private AttributeValue href;
    private AttributeValue rel;
    private AttributeValue name;
    private AttributeValue content;

    private HtmlByteScanner(ReadOnlySpan<byte> html, Encoding encoding, PageLinksBuilder page)
    {
        this.html = html;
        this.encoding = encoding;
        this.page = page;
    }

    private enum Tag
    {
        Other,
        Anchor,
        Link,
        Base,
        Meta,
        Title,
        Textarea,
        Script,
        RawText,
        Plaintext,
    }

    /// <summary>
    /// Reports the page's elements to <paramref name="page"/>; false when the page needs the
    /// full tokenizer (see remarks), in which case <paramref name="page"/> holds a partial result.
    /// </summary>
    public static bool TryScan(ReadOnlySpan<byte> html, Encoding encoding, PageLinksBuilder page)
    {
        var scanner = new HtmlByteScanner(html, encoding, page);
        return scanner.Scan();
    }

    private bool Scan()
    {
        var i = 0;
        while (i >= 0)
        {
            var lt = html[i..].IndexOf((byte)'<');
            if (lt < 0)
            {
                return true;
            }
            i += lt + 1;
            if (i >= html.Length)
            {
                return true;
            }
            var c = html[i];
            if (IsAsciiLetter(c))
            {
                i = StartTag(i);
            }
            else if (c == '/')
            {
                i = EndTagOrBogusComment(i + 1);
            }
            else if (c == '!')
            {
                i = i + 2 < html.Length && html[i + 1] == '-' && html[i + 2] == '-' ? Comment(i - 1) : SkipPast((byte)'>', i + 1);
            }
            else if (c == '?')
            {
                i = SkipPast((byte)'>', i + 1);
            }
            // Anything else after '<' is text.
        }
        return i != GiveUp;
    }

    /// <summary>A start tag whose name begins at <paramref name="i"/>; returns where text resumes.</summary>
    private int StartTag(int i)
    {
        var nameEnd = TagNameEnd(i);
        if (nameEnd >= html.Length)
        {
            return EndOfPage;
        }
        var tag = Classify(html[i..nameEnd]);
        var capture = tag is Tag.Anchor or Tag.Link or Tag.Base or Tag.Meta;
        if (capture)
        {
            href = rel = name = content = AttributeValue.Absent;
        }
        var end = ReadAttributes(nameEnd, capture, out var selfClosing);
        if (end < 0)
        {
            return EndOfPage;
        }
        switch (tag)
        {
            case Tag.Anchor when href.IsPresent && page.Full:
                // Past the page's link cap: counted, not decoded.
                page.OverCap();
                break;
            case Tag.Anchor when href.IsPresent:
                page.Anchor(Value(href), rel.IsPresent ? Value(rel) : null);
                break;
            case Tag.Link when page.Full:
                if (href.IsPresent && PageLinksBuilder.IsWalked(rel.IsPresent ? Value(rel) : null))
                {
                    page.OverCap();
                }
                break;
            case Tag.Link:
                page.Link(rel.IsPresent ? Value(rel) : string.Empty, href.IsPresent ? Value(href) : null);
                break;
            case Tag.Base when href.IsPresent:
                page.Base(Value(href));
                break;
            case Tag.Meta:
                page.Meta(name.IsPresent ? Value(name) : string.Empty, content.IsPresent ? Value(content) : string.Empty);
                break;
            case Tag.Title when !selfClosing:
                return Title(end);
            case Tag.Textarea when !selfClosing:
                return SkipRawText(end, "textarea"u8, out _);
            case Tag.Script when !selfClosing:
                return Script(end);
            case Tag.RawText when !selfClosing:
                return SkipRawText(end, html[i..nameEnd], out _);
            case Tag.Plaintext:
                // Nothing after <plaintext> is markup.
                return EndOfPage;
        }
        return end;
    }

    private int Title(int start)
    {
        var end = SkipRawText(start, "title"u8, out var textEnd);
        if (!page.HasTitle)
        {
            // A record keeps RecordText.MaxLength characters of it: decoding more than a bounded prefix would only cost memory.
            var raw = html[start..Math.Min(textEnd, start + MaxTitleBytes)];
            var text = encoding.GetString(raw);
            page.Title(CharacterReferences.NeedsDecoding(raw) || raw.IndexOf("</"u8) >= 0 ? CharacterReferences.DecodeText(text) : text);
        }
        return end;
    }

    private int Script(int start)
    {
        var end = SkipRawText(start, "script"u8, out var textEnd);
        var body = html[start..textEnd];
        var comment = body.IndexOf("<!--"u8);
        return comment >= 0 && IndexOfIgnoreCase(body[comment..], "<script"u8) >= 0 ? GiveUp : end;
    }

    /// <summary>
    /// Skips raw text or RCDATA up to the end tag named <paramref name="tagName"/> (lower case) and
    /// past that tag; <paramref name="textEnd"/> is where the text stops.
    /// </summary>
    private int SkipRawText(int start, ReadOnlySpan<byte> tagName, out int textEnd)
    {
        var i = start;
        while (true)
        {
            var at = html[i..].IndexOf("</"u8);
            if (at < 0)
            {
                textEnd = html.Length;
                return EndOfPage;
            }
            var tagStart = i + at;
            var nameEnd = tagStart + 2 + tagName.Length;
            if (nameEnd < html.Length && IsTagNameEnd(html[nameEnd]) && Ascii.EqualsIgnoreCase(html[(tagStart + 2)..nameEnd], tagName))
            {
                textEnd = tagStart;
                return ReadAttributes(nameEnd, capture: false, out _);
            }
            i = tagStart + 2;
        }
    }

    /// <summary>After "&lt;/": an end tag, "&lt;/&gt;" (nothing), or a bogus comment.</summary>
    private int EndTagOrBogusComment(int i)
    {
        if (i >= html.Length)
        {
            return EndOfPage;
        }
        var c = html[i];
        if (IsAsciiLetter(c))
        {
            var nameEnd = TagNameEnd(i);
            return nameEnd >= html.Length ? EndOfPage : ReadAttributes(nameEnd, capture: false, out _);
        }
        return c == '>' ? i + 1 : SkipPast((byte)'>', i);
    }

    /// <summary>A comment opened by "&lt;!--" at <paramref name="lt"/>: it ends at "--&gt;" (which may share the opening dashes) or "--!&gt;".</summary>
    private readonly int Comment(int lt)
    {
        var i = lt + 2;
        while (true)
        {
            var at = html[i..].IndexOf("--"u8);
            if (at < 0)
            {
                return EndOfPage;
            }
            i += at;
            if (i + 2 < html.Length && html[i + 2] == '>')
            {
                return i + 3;
            }
            if (i >= lt + 4 && i + 3 < html.Length && html[i + 2] == '!' && html[i + 3] == '>')
            {
                return i + 4;
            }
            i++;
        }
    }

    private static Tag Classify(ReadOnlySpan<byte> tagName) => tagName.Length switch
    {
        1 => (tagName[0] | 0x20) == 'a' ? Tag.Anchor : Tag.Other,
        3 when Ascii.EqualsIgnoreCase(tagName, "xmp"u8) => Tag.RawText,
        4 when Ascii.EqualsIgnoreCase(tagName, "area"u8) => Tag.Anchor,
        4 when Ascii.EqualsIgnoreCase(tagName, "link"u8) => Tag.Link,
        4 when Ascii.EqualsIgnoreCase(tagName, "base"u8) => Tag.Base,
        4 when Ascii.EqualsIgnoreCase(tagName, "meta"u8) => Tag.Meta,
        5 when Ascii.EqualsIgnoreCase(tagName, "title"u8) => Tag.Title,
        5 when Ascii.EqualsIgnoreCase(tagName, "style"u8) => Tag.RawText,
        6 when Ascii.EqualsIgnoreCase(tagName, "script"u8) => Tag.Script,
        6 when Ascii.EqualsIgnoreCase(tagName, "iframe"u8) => Tag.RawText,
        7 when Ascii.EqualsIgnoreCase(tagName, "noembed"u8) => Tag.RawText,
        8 when Ascii.EqualsIgnoreCase(tagName, "textarea"u8) => Tag.Textarea,
        8 when Ascii.EqualsIgnoreCase(tagName, "noframes"u8) => Tag.RawText,
        9 when Ascii.EqualsIgnoreCase(tagName, "plaintext"u8) => Tag.Plaintext,
        _ => Tag.Other,
    };

    private readonly int TagNameEnd(int i)
    {
        while (i < html.Length && !IsTagNameEnd(html[i]))
        {
            i++;
        }
        return i;
    }

    private readonly int SkipPast(byte b, int from)
    {
        var at = html[from..].IndexOf(b);
        return at < 0 ? EndOfPage : from + at + 1;
    }
}
