using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

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
internal ref struct HtmlByteScanner
{
    private const int EndOfPage = -1;
    private const int GiveUp = -2;

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

    private enum Attribute
    {
        None,
        Href,
        Rel,
        Name,
        Content,
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
            case Tag.Anchor when href.IsPresent:
                page.Anchor(Value(href), rel.IsPresent ? Value(rel) : null);
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
            var raw = html[start..textEnd];
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

    /// <summary>
    /// Reads the attributes of a tag from just after its name up to and including its '&gt;', and
    /// returns the index after it; <see cref="EndOfPage"/> if the page ends inside the tag, which
    /// drops the tag. With <paramref name="capture"/> it records href, rel, name and content.
    /// </summary>
    private int ReadAttributes(int i, bool capture, out bool selfClosing)
    {
        selfClosing = false;
        var n = html.Length;
        while (true)
        {
            // Before an attribute name (also after a value, and after a '/' not followed by '>').
            while (i < n && IsSpace(html[i]))
            {
                i++;
            }
            if (i >= n)
            {
                return EndOfPage;
            }
            var c = html[i];
            if (c == '>')
            {
                return i + 1;
            }
            if (c == '/')
            {
                do
                {
                    i++;
                }
                while (i < n && html[i] == '/');
                if (i >= n)
                {
                    return EndOfPage;
                }
                if (html[i] == '>')
                {
                    selfClosing = true;
                    return i + 1;
                }
                continue;
            }

            // The name's first character is taken whatever it is, '=' and quotes included.
            var nameStart = i++;
            while (i < n && !Is(html[i], AttributeNameEndMask))
            {
                i++;
            }
            if (i >= n)
            {
                return EndOfPage;
            }
            var attribute = capture ? Claim(html[nameStart..i]) : Attribute.None;
            c = html[i];
            if (IsSpace(c))
            {
                while (i < n && IsSpace(html[i]))
                {
                    i++;
                }
                if (i >= n)
                {
                    return EndOfPage;
                }
                c = html[i];
            }
            if (c != '=')
            {
                // '>', '/' or the next attribute's name.
                continue;
            }

            i++;
            while (i < n && IsSpace(html[i]))
            {
                i++;
            }
            if (i >= n)
            {
                return EndOfPage;
            }
            c = html[i];
            if (c is (byte)'"' or (byte)'\'')
            {
                var close = html[(i + 1)..].IndexOf(c);
                if (close < 0)
                {
                    return EndOfPage;
                }
                Set(attribute, new AttributeValue(i + 1, close, (char)c));
                i += close + 2;
            }
            else if (c != '>')
            {
                var start = i;
                while (i < n && !Is(html[i], UnquotedValueEndMask))
                {
                    i++;
                }
                if (i >= n)
                {
                    return EndOfPage;
                }
                Set(attribute, new AttributeValue(start, i - start, '>'));
            }
        }
    }

    /// <summary>Which attribute a name is, if it is one we keep and has not been seen on this tag.</summary>
    private Attribute Claim(ReadOnlySpan<byte> attributeName)
    {
        var attribute = attributeName.Length switch
        {
            3 when Ascii.EqualsIgnoreCase(attributeName, "rel"u8) => Attribute.Rel,
            4 when Ascii.EqualsIgnoreCase(attributeName, "href"u8) => Attribute.Href,
            4 when Ascii.EqualsIgnoreCase(attributeName, "name"u8) => Attribute.Name,
            7 when Ascii.EqualsIgnoreCase(attributeName, "content"u8) => Attribute.Content,
            _ => Attribute.None,
        };
        if (attribute == Attribute.None)
        {
            return Attribute.None;
        }
        ref var slot = ref Slot(attribute);
        if (slot.IsPresent)
        {
            return Attribute.None;
        }
        slot = AttributeValue.Empty;
        return attribute;
    }

    private void Set(Attribute attribute, AttributeValue value)
    {
        if (attribute != Attribute.None)
        {
            Slot(attribute) = value;
        }
    }

    [UnscopedRef]
    private ref AttributeValue Slot(Attribute attribute)
    {
        switch (attribute)
        {
            case Attribute.Rel:
                return ref rel;
            case Attribute.Name:
                return ref name;
            case Attribute.Content:
                return ref content;
            default:
                return ref href;
        }
    }

    private readonly string Value(AttributeValue value)
    {
        if (value.Length == 0)
        {
            return string.Empty;
        }
        var raw = html.Slice(value.Start, value.Length);
        var text = encoding.GetString(raw);
        return CharacterReferences.NeedsDecoding(raw) ? CharacterReferences.DecodeAttribute(text, value.Quote) : text;
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

    private static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (true)
        {
            var at = text[i..].IndexOf(value[0]);
            if (at < 0)
            {
                return -1;
            }
            i += at;
            if (i + value.Length <= text.Length && Ascii.EqualsIgnoreCase(text.Slice(i, value.Length), value))
            {
                return i;
            }
            i++;
        }
    }

    // Character classes as bit masks over the first 64 byte values: every delimiter of interest is below '@'.
    private const ulong SpaceMask = 1UL << ' ' | 1UL << '\t' | 1UL << '\n' | 1UL << '\r' | 1UL << '\f';
    private const ulong TagNameEndMask = SpaceMask | 1UL << '/' | 1UL << '>';
    private const ulong AttributeNameEndMask = TagNameEndMask | 1UL << '=';
    private const ulong UnquotedValueEndMask = SpaceMask | 1UL << '>';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsAsciiLetter(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSpace(byte c) => Is(c, SpaceMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsTagNameEnd(byte c) => Is(c, TagNameEndMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Is(byte c, ulong mask) => c < 64 && ((mask >> c) & 1) != 0;

    /// <summary>Where an attribute's value lies in the page; <see cref="Quote"/> is the character that closed it ('&gt;' when unquoted).</summary>
    private readonly record struct AttributeValue(int Start, int Length, char Quote)
    {
        public static readonly AttributeValue Absent = new(-1, 0, '\0');

        public static readonly AttributeValue Empty = new(0, 0, '\0');

        public bool IsPresent => Start >= 0;
    }
}
