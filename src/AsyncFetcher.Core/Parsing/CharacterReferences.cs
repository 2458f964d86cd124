using System.Buffers;
using System.Text;
using AngleSharp.Common;
using AngleSharp.Html;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Resolves character references (<c>&amp;amp;</c>, <c>&amp;#47;</c>, <c>&amp;#x2F;</c>) and the input
/// stream fix-ups (CR LF to LF; NUL and U+FFFF to U+FFFD) in text the byte scanner cut out of a page: an
/// attribute value or a title.
/// </summary>
/// <remarks>
/// This follows AngleSharp's HtmlTokenizer (AppendCharacterReference and its two helpers) step by
/// step, including where it reads back, so the fast path gives the same strings as the AngleSharp
/// path, quirks included: <c>&amp;;</c> loses its ';', and a decimal reference too long for an int
/// wraps around. Named references come from AngleSharp's own table. The text is followed by a
/// virtual <c>terminator</c>: the character that ended it in the page (the closing
/// quote, '&gt;' after an unquoted value, '&lt;' of the end tag after a title), which the
/// tokenizer would have looked at.
/// </remarks>
internal ref struct CharacterReferences
{
    private const char EndOfFile = '\uffff';

    private static readonly SearchValues<byte> SpecialBytes = SearchValues.Create([(byte)'&', 0, (byte)'\r', 0xEF]);

    private readonly ReadOnlySpan<char> text;
    private readonly char terminator;
    private readonly StringBuilder output;
    private int position;

    private CharacterReferences(ReadOnlySpan<char> text, char terminator)
    {
        this.text = text;
        this.terminator = terminator;
        output = new StringBuilder(text.Length);
    }

    /// <summary>
    /// True when the bytes of a value or title may need <see cref="DecodeAttribute"/> or
    /// <see cref="DecodeText"/>: they hold '&amp;', NUL, CR, or 0xEF, the first byte of U+FFFF in UTF-8.
    /// </summary>
    public static bool NeedsDecoding(ReadOnlySpan<byte> raw) => raw.IndexOfAny(SpecialBytes) >= 0;

    /// <summary>
    /// An attribute value as the tokenizer stores it; <paramref name="quote"/> is the quote that
    /// closed it, or '&gt;' for an unquoted value.
    /// </summary>
    public static string DecodeAttribute(string value, char quote)
    {
        var decoder = new CharacterReferences(Preprocess(value), quote);
        return decoder.Run(quote, rcdata: false);
    }

    /// <summary>RCDATA text (a title), ended by the '&lt;' of its end tag or by the end of the page.</summary>
    public static string DecodeText(string text)
    {
        var decoder = new CharacterReferences(Preprocess(text), '<');
        return decoder.Run('\0', rcdata: true);
    }

    // AngleSharp reads CR LF and CR as LF, and U+FFFF (its end-of-file marker) as U+FFFD.
    private static string Preprocess(string text)
    {
        if (text.Contains('\r'))
        {
            text = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        }
        return text.Replace(EndOfFile, '\ufffd');
    }

    private string Run(char allowedCharacter, bool rcdata)
    {
        while (position < text.Length)
        {
            var c = Next();
            switch (c)
            {
                case '&':
                    AppendReference(Next(), allowedCharacter);
                    break;
                case '\0':
                    output.Append('\ufffd');
                    break;
                case '<' when rcdata && At(position) == '/' && char.IsAsciiLetter(At(position + 1)):
                    // In RCDATA the tokenizer reads "</name" as a possible end tag and lower-cases
                    // the name before it finds out it is text.
                    output.Append("</");
                    position++;
                    while (char.IsAsciiLetter(At(position)))
                    {
                        output.Append(char.ToLowerInvariant(text[position]));
                        position++;
                    }
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }
        return output.ToString();
    }

    private readonly char At(int index) => index < text.Length ? text[index] : index == text.Length ? terminator : EndOfFile;

    private char Next() => At(position++);

    private readonly char Current => At(position - 1);

    private void AppendReference(char c, char allowedCharacter)
    {
        if (IsSpace(c) || c == '<' || c == EndOfFile || c == '&' || c == allowedCharacter)
        {
            position--;
            output.Append('&');
            return;
        }
        var symbol = c == '#' ? Numeric(Next()) : Named(allowedCharacter);
        if (symbol is null)
        {
            output.Append('&');
        }
        else
        {
            output.Append(symbol);
        }
    }

    private string? Numeric(char c)
    {
        var hex = c is 'x' or 'X';
        var radix = hex ? 16 : 10;
        int start, count = 0;
        if (hex)
        {
            start = position;
            while (char.IsAsciiHexDigit(c = Next()))
            {
                count++;
            }
        }
        else
        {
            start = position - 1;
            while (char.IsAsciiDigit(c))
            {
                count++;
                c = Next();
            }
        }
        if (count == 0)
        {
            position -= hex ? 3 : 2;
            return null;
        }
        if (c != ';')
        {
            position--;
        }
        int code = 0, weight = 1;
        unchecked
        {
            for (var i = start + count - 1; i >= start; i--)
            {
                code += HexValue(text[i]) * weight;
                weight *= radix;
            }
        }
        if (HtmlEntityProvider.IsInCharacterTable(code))
        {
            return HtmlEntityProvider.GetSymbolFromTable(code);
        }
        if (HtmlEntityProvider.IsInvalidNumber(code))
        {
            return "\ufffd";
        }
        return char.ConvertFromUtf32(code);
    }

    private string? Named(char allowedCharacter)
    {
        string? symbol = null;
        var start = position - 1;
        var name = new char[32];
        var length = 0;
        var c = Current;
        while (c != ';' && IsNameChar(c))
        {
            name[length++] = c;
            c = Next();
            if (c == EndOfFile || length >= 31)
            {
                break;
            }
        }
        if (c == ';')
        {
            name[length] = ';';
            symbol = HtmlEntityProvider.ResolverExtended.GetSymbol(new StringOrMemory(name.AsMemory(0, length + 1)));
        }
        while (symbol is null && length > 0)
        {
            symbol = HtmlEntityProvider.ResolverExtended.GetSymbol(new StringOrMemory(name.AsMemory(0, length--)));
            if (symbol is null)
            {
                position--;
            }
        }
        c = Current;
        if (c != ';')
        {
            // In an attribute, "&amp=" and "&ampx" stay as written: they are likely query strings.
            if (allowedCharacter != '\0' && (c == '=' || char.IsAsciiLetterOrDigit(c)))
            {
                position = start;
                return null;
            }
            position--;
        }
        return symbol;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f';

    private static bool IsNameChar(char c) => (c >= '\u0080' && c != EndOfFile) || char.IsAsciiLetterOrDigit(c) || c is '_' or '-';
}
