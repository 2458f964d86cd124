using System.Buffers;
using System.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Percent-encoding normalisation (RFC 3986 section 6.2.2.2): escapes of unreserved characters are
/// decoded and the hex digits of every other escape are upper-cased. URL dedup and robots.txt
/// matching both use it, so a URL and a robots.txt pattern are compared in the same form.
/// </summary>
internal static class PercentEncoding
{
    // Characters System.Uri always escapes in a path or query; robots.txt patterns are written by hand
    // and may contain them raw, so they are escaped to match what Uri.PathAndQuery gives.
    private static readonly SearchValues<char> RawUriChars = SearchValues.Create(
        "!#$&'()*+,-./0123456789:;=?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]_abcdefghijklmnopqrstuvwxyz~");

    private const string HexDigits = "0123456789ABCDEF";

    /// <summary>
    /// Returns <paramref name="value"/> normalised; the same instance when nothing changes.
    /// With <paramref name="escapeRawChars"/>, characters that may not appear raw in a URI
    /// (non-ASCII as UTF-8, controls, space, <c>"&lt;&gt;\^`{|}</c>, a <c>%</c> that starts no escape)
    /// are percent-encoded too, as System.Uri would encode them.
    /// </summary>
    public static string Normalize(string value, bool escapeRawChars)
    {
        if (IsNormalized(value, escapeRawChars))
        {
            return value;
        }

        // Escaping a raw char writes at most 9 chars for it (3 UTF-8 bytes as %XX); decoding only shrinks.
        int capacity = escapeRawChars ? checked(value.Length * 9) : value.Length;
        char[] rented = ArrayPool<char>.Shared.Rent(capacity);
        try
        {
            int written = Normalize(value, rented, escapeRawChars);
            return new string(rented, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    /// <summary>True when <see cref="Normalize(string, bool)"/> would return its input unchanged.</summary>
    public static bool IsNormalized(ReadOnlySpan<char> value, bool escapeRawChars)
    {
        if (escapeRawChars)
        {
            int i = value.IndexOfAnyExcept(RawUriChars);
            while (i >= 0)
            {
                if (value[i] != '%' || !IsNormalEscape(value[i..]))
                {
                    return false;
                }

                int next = value[(i + 3)..].IndexOfAnyExcept(RawUriChars);
                i = next < 0 ? -1 : i + 3 + next;
            }

            return true;
        }

        int pos = value.IndexOf('%');
        while (pos >= 0)
        {
            ReadOnlySpan<char> rest = value[pos..];
            if (IsEscape(rest) && !IsNormalEscape(rest))
            {
                return false;
            }

            int next = value[(pos + 1)..].IndexOf('%');
            pos = next < 0 ? -1 : pos + 1 + next;
        }

        return true;
    }

    /// <summary>
    /// Writes the normalised form of <paramref name="value"/> to <paramref name="destination"/> and returns
    /// the number of chars written. Without escaping the output is never longer than the input;
    /// with escaping it is at most nine times as long.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> value, Span<char> destination, bool escapeRawChars)
    {
        Span<byte> utf8 = stackalloc byte[4];
        int w = 0;
        int i = 0;
        while (i < value.Length)
        {
            char c = value[i];
            if (c == '%' && IsEscape(value[i..]))
            {
                int b = (HexValue(value[i + 1]) << 4) | HexValue(value[i + 2]);
                if (IsUnreserved(b))
                {
                    destination[w++] = (char)b;
                }
                else
                {
                    destination[w++] = '%';
                    destination[w++] = HexDigits[b >> 4];
                    destination[w++] = HexDigits[b & 0xF];
                }

                i += 3;
            }
            else if (escapeRawChars && !RawUriChars.Contains(c))
            {
                // A lone surrogate decodes to U+FFFD, as UTF-8 encoders do.
                Rune.DecodeFromUtf16(value[i..], out Rune rune, out int consumed);
                int length = rune.EncodeToUtf8(utf8);
                for (int k = 0; k < length; k++)
                {
                    destination[w++] = '%';
                    destination[w++] = HexDigits[utf8[k] >> 4];
                    destination[w++] = HexDigits[utf8[k] & 0xF];
                }

                i += consumed;
            }
            else
            {
                destination[w++] = c;
                i++;
            }
        }

        return w;
    }

    private static bool IsEscape(ReadOnlySpan<char> s) =>
        s.Length >= 3 && char.IsAsciiHexDigit(s[1]) && char.IsAsciiHexDigit(s[2]);

    // An escape already in normal form: upper-case hex of a character that must stay encoded.
    private static bool IsNormalEscape(ReadOnlySpan<char> s) =>
        IsEscape(s)
        && !char.IsAsciiLetterLower(s[1]) && !char.IsAsciiLetterLower(s[2])
        && !IsUnreserved((HexValue(s[1]) << 4) | HexValue(s[2]));

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsUnreserved(int b) =>
        char.IsAsciiLetterOrDigit((char)b) || b is '-' or '.' or '_' or '~';
}
