using System.Diagnostics.CodeAnalysis;
using System.Text;
using static AsyncFetcher.Core.Parsing.HtmlBytes;

namespace AsyncFetcher.Core.Parsing;

/// <summary>The scanner's attribute reader: the attributes of a tag, up to its '&gt;', and the values kept.</summary>
internal ref partial struct HtmlByteScanner
{
    private enum Attribute
    {
        None,
        Href,
        Rel,
        Name,
        Content,
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

    /// <summary>Where an attribute's value lies in the page; <see cref="Quote"/> is the character that closed it ('&gt;' when unquoted).</summary>
    private readonly record struct AttributeValue(int Start, int Length, char Quote)
    {
        public static readonly AttributeValue Absent = new(-1, 0, '\0');

        public static readonly AttributeValue Empty = new(0, 0, '\0');

        public bool IsPresent => Start >= 0;
    }
}
