namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Keeps passwords written into URLs (<c>http://user:secret@host/</c>) out of everything the crawler
/// writes: a URL's password is replaced by <c>***</c> where the URL is normalised, so records, logs,
/// the report, the summary and the state only ever see <c>user:***@</c>.
/// </summary>
internal static class UrlRedaction
{
    public const string Mask = "***";

    /// <summary>True when the authority of <paramref name="absoluteUri"/> has userinfo (an '@'); cheap, for the hot path.</summary>
    public static bool HasUserInfo(string absoluteUri)
    {
        var start = absoluteUri.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = absoluteUri.AsSpan(start).IndexOfAny('/', '?', '#');
        return (end < 0 ? absoluteUri.AsSpan(start) : absoluteUri.AsSpan(start, end)).Contains('@');
    }

    /// <summary>True when <paramref name="url"/> carries a password that is not yet masked.</summary>
    public static bool HasPassword(Uri url) =>
        url.UserInfo.IndexOf(':') is var colon and >= 0 && url.UserInfo.AsSpan(colon + 1) is var password && !password.IsEmpty && !password.SequenceEqual(Mask);

    /// <summary><paramref name="url"/> with its password masked; the same instance when it has none.</summary>
    public static Uri Redact(Uri url)
    {
        if (!HasPassword(url))
        {
            return url;
        }
        var user = url.UserInfo[..url.UserInfo.IndexOf(':')];
        var builder = new UriBuilder(url) { UserName = Uri.UnescapeDataString(user), Password = Mask };
        return new Uri(builder.Uri.AbsoluteUri.Replace("%2A%2A%2A@", Mask + "@", StringComparison.Ordinal));
    }

    /// <summary>Text that may hold a URL with a password (a seed line being warned about), with the password masked.</summary>
    public static string RedactText(string text)
    {
        var scheme = text.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return text;
        }
        var authorityStart = scheme + 3;
        var authorityEnd = text.AsSpan(authorityStart).IndexOfAny("/?#");
        var authority = authorityEnd < 0 ? text.AsSpan(authorityStart) : text.AsSpan(authorityStart, authorityEnd);
        var at = authority.LastIndexOf('@');
        var colon = at < 0 ? -1 : authority[..at].IndexOf(':');
        return colon < 0 ? text : string.Concat(text.AsSpan(0, authorityStart + colon + 1), Mask, text.AsSpan(authorityStart + at));
    }
}
