using System.Collections.Concurrent;
using System.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Turns an HTML body into text with the right charset, in the order browsers use:
/// byte-order mark, then the Content-Type charset, then a &lt;meta charset&gt; in the first
/// 1024 bytes, then UTF-8.
/// </summary>
internal static class HtmlDecoder
{
    // Code page -> whether the encoding maps ASCII to itself, worked out once per code page.
    private static readonly ConcurrentDictionary<int, bool> AsciiRoundTrips = new();

    static HtmlDecoder()
    {
        // windows-1252 and the other legacy code pages are not built into .NET; pages still use them.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    public static string Decode(ReadOnlySpan<byte> body, string? headerCharset)
    {
        var encoding = DetectEncoding(body, headerCharset, out var preambleLength);
        return encoding.GetString(body[preambleLength..]);
    }

    /// <summary>
    /// Picks the encoding of an HTML body; <paramref name="preambleLength"/> is the length of the
    /// byte-order mark to skip before decoding (0 when there is none).
    /// </summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> body, string? headerCharset, out int preambleLength) =>
        DetectEncoding(body, headerCharset, out preambleLength, out _);

    /// <summary>
    /// <see cref="DetectEncoding(ReadOnlySpan{byte}, string?, out int)"/>, also saying which charset the
    /// page named that cannot be used (unknown, or one .NET refuses to decode, such as UTF-7): the next
    /// source in the order is used instead, down to UTF-8, and the caller can say so on the record.
    /// </summary>
    public static Encoding DetectEncoding(ReadOnlySpan<byte> body, string? headerCharset, out int preambleLength, out string? unusable)
    {
        unusable = null;
        if (body.StartsWith(Encoding.UTF8.Preamble))
        {
            preambleLength = 3;
            return Encoding.UTF8;
        }
        if (body.StartsWith(Encoding.Unicode.Preamble))
        {
            preambleLength = 2;
            return Encoding.Unicode;
        }
        if (body.StartsWith(Encoding.BigEndianUnicode.Preamble))
        {
            preambleLength = 2;
            return Encoding.BigEndianUnicode;
        }
        preambleLength = 0;
        if (Lookup(headerCharset) is { } fromHeader)
        {
            return fromHeader;
        }
        var metaCharset = MetaCharset(body[..Math.Min(body.Length, 1024)]);
        if (Lookup(metaCharset) is { } fromMeta)
        {
            unusable = Named(headerCharset);
            return fromMeta;
        }
        unusable = Named(headerCharset) ?? Named(metaCharset);
        return Encoding.UTF8;
    }

    private static string? Named(string? charset) => string.IsNullOrWhiteSpace(charset) ? null : RecordText.Cut(charset.Trim().Trim('"', '\''));

    /// <summary>
    /// True when markup can be read from the raw bytes: every ASCII character is its own single
    /// byte, and no byte of a non-ASCII character looks like one. That holds for UTF-8 and for
    /// the single-byte code pages (windows-125x, ISO-8859-x, KOI8, ...). Multi-byte legacy code
    /// pages (Shift_JIS, GBK, Big5, EUC-*) are left out: their decoders may swallow an ASCII
    /// byte that follows a broken lead byte, so bytes and text could disagree on where a
    /// quote is; stateful ones (ISO-2022-*, UTF-7) and UTF-16/32 fail the round trip.
    /// </summary>
    public static bool IsAsciiCompatible(Encoding encoding) =>
        encoding.CodePage == Encoding.UTF8.CodePage ||
        (encoding.IsSingleByte && AsciiRoundTrips.GetOrAdd(encoding.CodePage, static (_, e) => RoundTripsAscii(e), encoding));

    private static bool RoundTripsAscii(Encoding encoding)
    {
        Span<byte> ascii = stackalloc byte[128];
        for (var i = 0; i < ascii.Length; i++)
        {
            ascii[i] = (byte)i;
        }
        var text = encoding.GetString(ascii);
        if (text.Length != ascii.Length)
        {
            return false;
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != i)
            {
                return false;
            }
        }
        return encoding.GetBytes(text).AsSpan().SequenceEqual(ascii);
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
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            // Unknown names, and those .NET will not decode (UTF-7 is refused since .NET 5: it is unsafe in HTML).
            return null;
        }
    }

    /// <summary>
    /// The charset a meta tag names in the page's first bytes: read from the bytes themselves, as every
    /// page without a charset in its Content-Type (most of them) goes through here. A byte past ASCII is
    /// neither a space nor part of a name, as if the bytes had been decoded as ASCII.
    /// </summary>
    private static string? MetaCharset(ReadOnlySpan<byte> head)
    {
        var at = IndexOfCharset(head, 0);
        while (at >= 0)
        {
            var i = at + 7;
            while (i < head.Length && IsSpace(head[i]))
            {
                i++;
            }
            if (i < head.Length && head[i] == '=')
            {
                i++;
                while (i < head.Length && (IsSpace(head[i]) || head[i] is (byte)'"' or (byte)'\''))
                {
                    i++;
                }
                var end = i;
                while (end < head.Length && (char.IsAsciiLetterOrDigit((char)head[end]) || head[end] is (byte)'-' or (byte)'_' or (byte)':' or (byte)'.'))
                {
                    end++;
                }
                if (end > i)
                {
                    return Encoding.ASCII.GetString(head[i..end]);
                }
            }
            at = IndexOfCharset(head, at + 7);
        }
        return null;
    }

    /// <summary>Where "charset", in any case, next begins at or after <paramref name="from"/>; -1 for nowhere.</summary>
    private static int IndexOfCharset(ReadOnlySpan<byte> head, int from)
    {
        while (from <= head.Length - 7)
        {
            var c = head[from..].IndexOfAny((byte)'c', (byte)'C');
            if (c < 0 || from + c > head.Length - 7)
            {
                return -1;
            }
            from += c;
            if (System.Text.Ascii.EqualsIgnoreCase(head.Slice(from, 7), "charset"u8))
            {
                return from;
            }
            from++;
        }
        return -1;
    }

    private static bool IsSpace(byte b) => b < 0x80 && char.IsWhiteSpace((char)b);
}
