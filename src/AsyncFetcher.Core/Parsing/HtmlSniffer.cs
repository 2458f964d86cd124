using System.Text;

namespace AsyncFetcher.Core.Parsing;

/// <summary>Decides whether a response is HTML: by its media type, or by its first bytes when it has none.</summary>
internal static class HtmlSniffer
{
    public static bool IsHtmlMediaType(string? mediaType) =>
        mediaType is not null &&
        (mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase) ||
         mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase));

    public static bool LooksLikeHtml(ReadOnlySpan<byte> start)
    {
        if (start.StartsWith(Encoding.UTF8.Preamble))
        {
            start = start[3..];
        }
        start = start.TrimStart(" \t\r\n\f"u8);
        return StartsWithIgnoreCase(start, "<!doctype html"u8) || StartsWithIgnoreCase(start, "<html"u8) ||
               StartsWithIgnoreCase(start, "<head"u8) || StartsWithIgnoreCase(start, "<body"u8) ||
               StartsWithIgnoreCase(start, "<!--"u8);
    }

    private static bool StartsWithIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> prefix) =>
        text.Length >= prefix.Length && Ascii.EqualsIgnoreCase(text[..prefix.Length], prefix);
}
