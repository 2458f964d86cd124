using System.Diagnostics.CodeAnalysis;

namespace AsyncFetcher.Core.Parsing;

// Interim version: replaced by the RFC 3986 normaliser from the parse branch.
internal static class UrlNormalizer
{
    public static bool TryNormalize(string href, Uri baseUri, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
    {
        result = null;
        var trimmed = href.Trim();
        if (trimmed.Length == 0 || trimmed[0] == '#' || !Uri.TryCreate(baseUri, trimmed, out var abs))
        {
            return false;
        }
        return TryNormalize(abs.AbsoluteUri, sortQuery, maxLength, out result);
    }

    public static bool TryNormalize(string absoluteUrl, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
    {
        result = null;
        if (!Uri.TryCreate(absoluteUrl.Trim(), UriKind.Absolute, out var abs) || (abs.Scheme != Uri.UriSchemeHttp && abs.Scheme != Uri.UriSchemeHttps))
        {
            return false;
        }
        var b = new UriBuilder(abs) { Fragment = "" };
        if (b.Uri.IsDefaultPort)
        {
            b.Port = -1;
        }
        result = b.Uri;
        return result.AbsoluteUri.Length <= maxLength;
    }

    public static string Key(Uri normalized) => normalized.AbsoluteUri;
}
