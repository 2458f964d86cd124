using System.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Turns an HTML body into text with the right charset, in the order browsers use:
/// byte-order mark, then the Content-Type charset, then a &lt;meta charset&gt; in the first
/// 1024 bytes, then UTF-8.
/// </summary>
internal static class HtmlDecoder
{
    static HtmlDecoder()
    {
        // windows-1252 and the other legacy code pages are not built into .NET; pages still use them.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public static string Decode(ReadOnlySpan<byte> body, string? headerCharset)
    {
        if (body.StartsWith(Encoding.UTF8.Preamble))
        {
            return Encoding.UTF8.GetString(body[3..]);
        }
        if (body.StartsWith(Encoding.Unicode.Preamble))
        {
            return Encoding.Unicode.GetString(body[2..]);
        }
        if (body.StartsWith(Encoding.BigEndianUnicode.Preamble))
        {
            return Encoding.BigEndianUnicode.GetString(body[2..]);
        }
        var encoding = Lookup(headerCharset) ?? Lookup(MetaCharset(body[..Math.Min(body.Length, 1024)])) ?? Encoding.UTF8;
        return encoding.GetString(body);
    }

    private static Encoding? Lookup(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        try
        {
            var encoding = Encoding.GetEncoding(name.Trim().Trim('"', '\''));
            // HTML's rule: a page that claims a 16-bit encoding in ASCII bytes is not one; and
            // latin-1 means windows-1252 to every browser.
            return encoding.CodePage switch
            {
                1200 or 1201 => Encoding.UTF8,
                28591 => Encoding.GetEncoding(1252),
                _ => encoding,
            };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? MetaCharset(ReadOnlySpan<byte> head)
    {
        var text = Encoding.ASCII.GetString(head);
        var at = text.IndexOf("charset", StringComparison.OrdinalIgnoreCase);
        while (at >= 0)
        {
            var i = at + 7;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }
            if (i < text.Length && text[i] == '=')
            {
                i++;
                while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] is '"' or '\''))
                {
                    i++;
                }
                var end = i;
                while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '-' or '_' or ':' or '.'))
                {
                    end++;
                }
                if (end > i)
                {
                    return text[i..end];
                }
            }
            at = text.IndexOf("charset", at + 7, StringComparison.OrdinalIgnoreCase);
        }
        return null;
    }
}
