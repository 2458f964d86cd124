using System.Runtime.CompilerServices;
using System.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// The byte classes of HTML's tokenizer that <see cref="HtmlByteScanner"/> tests at every step:
/// spaces, the bytes that end a tag name, an attribute name or an unquoted value; and a
/// case-insensitive search for ASCII markup.
/// </summary>
internal static class HtmlBytes
{
    /// <summary>Where <paramref name="value"/> (ASCII, its first byte as written) first occurs in <paramref name="text"/>, ignoring ASCII case; -1 when it does not.</summary>
    public static int IndexOfIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> value)
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
    public const ulong SpaceMask = 1UL << ' ' | 1UL << '\t' | 1UL << '\n' | 1UL << '\r' | 1UL << '\f';
    public const ulong TagNameEndMask = SpaceMask | 1UL << '/' | 1UL << '>';
    public const ulong AttributeNameEndMask = TagNameEndMask | 1UL << '=';
    public const ulong UnquotedValueEndMask = SpaceMask | 1UL << '>';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAsciiLetter(byte c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsSpace(byte c) => Is(c, SpaceMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTagNameEnd(byte c) => Is(c, TagNameEndMask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Is(byte c, ulong mask) => c < 64 && ((mask >> c) & 1) != 0;
}
