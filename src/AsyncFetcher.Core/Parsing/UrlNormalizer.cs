using System.Diagnostics.CodeAnalysis;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Turns hrefs and seed URLs into normalised absolute http(s) URLs (RFC 3986 section 6.2.2) so that
/// two spellings of one resource give one dedup key.
/// </summary>
/// <remarks>
/// System.Uri does most of the work: it lower-cases scheme and host, drops the default port, removes
/// dot segments, decodes escaped unreserved characters and escapes what may not appear raw. What is
/// left here is what Uri keeps: the fragment, Unicode host names, lower-case hex in escapes
/// (<c>%2f</c>), an empty query, and the optional query sort.
/// </remarks>
internal static partial class UrlNormalizer
{
    // Above this many chars the scratch buffer comes from the pool instead of the stack.
    private const int StackBufferChars = 1024;

    /// <summary>
    /// Resolves <paramref name="href"/> against <paramref name="baseUri"/> and normalises the result.
    /// False for empty and fragment-only hrefs, schemes other than http and https, unparseable hrefs,
    /// and results longer than <paramref name="maxLength"/>.
    /// </summary>
    public static bool TryNormalize(string href, Uri baseUri, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
    {
        result = null;
        return CleanHref(href, baseUri, maxLength) is { } cleaned && TryResolve(baseUri, cleaned, sortQuery, maxLength, out result);
    }

    /// <summary>
    /// <see cref="TryNormalize(string, Uri, bool, int, out Uri?)"/> for the many links of a site's pages:
    /// <paramref name="resolved"/> (the entries of <paramref name="baseUri"/>'s directory, from
    /// <see cref="HrefCache.For"/>) keeps each result under the href without the text of its fragment,
    /// which the result drops anyway. Pages link to the same targets over and over: the Python docs have
    /// 164,000 hrefs but 21,000 distinct targets per page, and each System.Uri costs a microsecond to build.
    /// </summary>
    public static bool TryNormalize(string href, Uri baseUri, bool sortQuery, int maxLength, HrefCache.Directory resolved, [NotNullWhen(true)] out Uri? result)
    {
        ArgumentNullException.ThrowIfNull(resolved);
        result = null;
        if (CleanHref(href, baseUri, maxLength) is not { } cleaned)
        {
            return false;
        }
        if (cleaned.Length > maxLength || !HrefCache.Directory.Holds(cleaned))
        {
            // A fragment this long could make System.Uri give up, so it may change the outcome; and an
            // href that depends on more of the base than its directory is resolved on each page.
            return TryResolve(baseUri, cleaned, sortQuery, maxLength, out result);
        }

        // The key keeps the '#' (System.Uri reads "a #f" and "http:#f" unlike "a " and "http:") but not what follows it.
        int fragment = cleaned.IndexOf('#');
        int keyLength = fragment < 0 ? cleaned.Length : fragment + 1;
        if (resolved.TryGet(cleaned.AsSpan(0, keyLength), out result))
        {
            return result is not null;
        }

        string target = keyLength == cleaned.Length ? cleaned : cleaned[..keyLength];
        bool ok = TryResolve(baseUri, target, sortQuery, maxLength, out result);
        resolved.Add(target, result);
        return ok;
    }

    /// <summary>Checks the arguments of the href overloads; null for an empty or fragment-only href.</summary>
    private static string? CleanHref(string href, Uri baseUri, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(href);
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        if (!baseUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The base URI must be absolute.", nameof(baseUri));
        }

        string cleaned = Clean(href);

        // A fragment-only href points into the page it is on, which is already known.
        return cleaned.Length == 0 || cleaned[0] == '#' ? null : cleaned;
    }

    private static bool TryResolve(Uri baseUri, string cleaned, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
    {
        result = null;
        return Uri.TryCreate(baseUri, cleaned, out Uri? resolved) && TryFinish(resolved, sortQuery, maxLength, out result);
    }

    /// <summary>
    /// Normalises an absolute URL typed by a user, such as a seed line, or a redirect's Location. A
    /// password in it is masked, unless <paramref name="keepPassword"/> (a seed, whose credentials the
    /// fetcher takes aside before the crawl records it: <see cref="Fetching.UrlCredentials"/>).
    /// </summary>
    public static bool TryNormalize(string absoluteUrl, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result, bool keepPassword = false)
    {
        ArgumentNullException.ThrowIfNull(absoluteUrl);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);

        result = null;
        string cleaned = Clean(absoluteUrl);
        return cleaned.Length != 0
            && Uri.TryCreate(cleaned, UriKind.Absolute, out Uri? parsed)
            && TryFinish(parsed, sortQuery, maxLength, out result, keepPassword);
    }

    /// <summary>The dedup key of a URL returned by <c>TryNormalize</c>.</summary>
    public static string Key(Uri normalized)
    {
        ArgumentNullException.ThrowIfNull(normalized);
        return normalized.AbsoluteUri;
    }

    /// <summary>
    /// Strips what browsers strip before parsing an href: leading and trailing C0 controls and spaces,
    /// and tabs and newlines anywhere. Backslashes before the query become slashes, as browsers treat
    /// them in http(s) URLs; System.Uri would otherwise read <c>\\host\x</c> as a file path.
    /// </summary>
    private static string Clean(string href)
    {
        ReadOnlySpan<char> span = href;
        int start = 0;
        while (start < span.Length && span[start] <= ' ')
        {
            start++;
        }

        int end = span.Length;
        while (end > start && span[end - 1] <= ' ')
        {
            end--;
        }

        span = span[start..end];
        int queryOrFragment = span.IndexOfAny('?', '#');
        ReadOnlySpan<char> beforeQuery = queryOrFragment < 0 ? span : span[..queryOrFragment];
        bool hasTabOrNewline = span.IndexOfAny('\t', '\n', '\r') >= 0;
        bool hasBackslash = beforeQuery.Contains('\\');
        if (!hasTabOrNewline && !hasBackslash)
        {
            return span.Length == href.Length ? href : span.ToString();
        }

        int removed = hasTabOrNewline ? span.Count('\t') + span.Count('\n') + span.Count('\r') : 0;
        int limit = queryOrFragment < 0 ? span.Length : queryOrFragment;
        return string.Create(span.Length - removed, (href, start, span.Length, limit), static (destination, state) =>
        {
            ReadOnlySpan<char> source = state.href.AsSpan(state.start, state.Length);
            int w = 0;
            for (int i = 0; i < source.Length; i++)
            {
                char c = source[i];
                if (c is not ('\t' or '\n' or '\r'))
                {
                    destination[w++] = c == '\\' && i < state.limit ? '/' : c;
                }
            }
        });
    }
}
