using System.Buffers;
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
internal static class UrlNormalizer
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
    /// <see cref="TryNormalize(string, Uri, bool, int, out Uri?)"/> for the many links of one page:
    /// <paramref name="resolved"/> (made with <see cref="StringComparer.Ordinal"/>, for one base
    /// URI) keeps each result under the href without the text of its fragment, which the result
    /// drops anyway.
    /// Pages link to the same targets over and over: the Python docs have 164,000 hrefs but
    /// 21,000 distinct targets per page, and each System.Uri costs a microsecond to build.
    /// </summary>
    public static bool TryNormalize(string href, Uri baseUri, bool sortQuery, int maxLength, Dictionary<string, Uri?> resolved, [NotNullWhen(true)] out Uri? result)
    {
        ArgumentNullException.ThrowIfNull(resolved);
        result = null;
        if (CleanHref(href, baseUri, maxLength) is not { } cleaned)
        {
            return false;
        }
        if (cleaned.Length > maxLength)
        {
            // A fragment this long could make System.Uri give up, so it may change the outcome.
            return TryResolve(baseUri, cleaned, sortQuery, maxLength, out result);
        }

        // The key keeps the '#' (System.Uri reads "a #f" and "http:#f" unlike "a " and "http:") but not what follows it.
        int fragment = cleaned.IndexOf('#');
        int keyLength = fragment < 0 ? cleaned.Length : fragment + 1;
        var lookup = resolved.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(cleaned.AsSpan(0, keyLength), out result))
        {
            return result is not null;
        }

        string target = keyLength == cleaned.Length ? cleaned : cleaned[..keyLength];
        bool ok = TryResolve(baseUri, target, sortQuery, maxLength, out result);
        resolved[target] = result;
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

    /// <summary>Normalises an absolute URL typed by a user, such as a seed line.</summary>
    public static bool TryNormalize(string absoluteUrl, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
    {
        ArgumentNullException.ThrowIfNull(absoluteUrl);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);

        result = null;
        string cleaned = Clean(absoluteUrl);
        return cleaned.Length != 0
            && Uri.TryCreate(cleaned, UriKind.Absolute, out Uri? parsed)
            && TryFinish(parsed, sortQuery, maxLength, out result);
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

    private static bool TryFinish(Uri uri, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
    {
        result = null;
        string scheme = uri.Scheme;
        if (scheme != Uri.UriSchemeHttp && scheme != Uri.UriSchemeHttps)
        {
            return false;
        }

        string absolute = uri.AbsoluteUri;
        int authorityStart = scheme.Length + 3;
        int pathStart = absolute.IndexOf('/', authorityStart);
        if (pathStart < 0)
        {
            pathStart = absolute.Length;
        }

        int fragmentStart = absolute.IndexOf('#', pathStart);
        int end = fragmentStart < 0 ? absolute.Length : fragmentStart;
        ReadOnlySpan<char> authority = absolute.AsSpan(authorityStart, pathStart - authorityStart);
        ReadOnlySpan<char> pathAndQuery = absolute.AsSpan(pathStart, end - pathStart);
        int queryStart = pathAndQuery.IndexOf('?');

        // Uri keeps a Unicode host in AbsoluteUri; the key uses the punycode form servers see.
        bool needsIdn = !System.Text.Ascii.IsValid(authority);
        bool changes = fragmentStart >= 0
            || needsIdn
            || !PercentEncoding.IsNormalized(pathAndQuery, escapeRawChars: false)
            || queryStart == pathAndQuery.Length - 1
            || (sortQuery && queryStart >= 0 && QueryNeedsSorting(pathAndQuery[(queryStart + 1)..]));

        if (!changes)
        {
            if (absolute.Length > maxLength)
            {
                return false;
            }

            result = uri;
            return true;
        }

        string? idnHost = null;
        if (needsIdn && !TryGetIdnHost(uri, out idnHost))
        {
            return false;
        }

        string normalized = Build(absolute, authorityStart, authority, idnHost, pathAndQuery, sortQuery);
        if (normalized.Length > maxLength
            || !Uri.TryCreate(normalized, UriKind.Absolute, out Uri? rebuilt)
            || rebuilt.AbsoluteUri.Length > maxLength)
        {
            return false;
        }

        result = rebuilt;
        return true;
    }

    private static string Build(
        string absolute, int authorityStart, ReadOnlySpan<char> authority, string? idnHost,
        ReadOnlySpan<char> pathAndQuery, bool sortQuery)
    {
        // Half for the normalised URL, half for a sorted copy of its query.
        int half = absolute.Length + (idnHost?.Length ?? 0);
        int capacity = half * 2;
        char[]? rented = null;
        Span<char> buffer = capacity <= StackBufferChars
            ? stackalloc char[StackBufferChars]
            : (rented = ArrayPool<char>.Shared.Rent(capacity));
        try
        {
            Span<char> text = buffer[..half];
            int w = 0;
            absolute.AsSpan(0, authorityStart).CopyTo(text);
            w += authorityStart;
            if (idnHost is null)
            {
                authority.CopyTo(text[w..]);
                w += authority.Length;
            }
            else
            {
                // The host was Unicode, so it is a DNS name: no brackets, and any ':' after it starts the port.
                int at = authority.LastIndexOf('@');
                authority[..(at + 1)].CopyTo(text[w..]);
                w += at + 1;
                idnHost.CopyTo(text[w..]);
                w += idnHost.Length;
                ReadOnlySpan<char> hostAndPort = authority[(at + 1)..];
                int colon = hostAndPort.LastIndexOf(':');
                if (colon >= 0)
                {
                    hostAndPort[colon..].CopyTo(text[w..]);
                    w += hostAndPort.Length - colon;
                }
            }

            int pathStart = w;
            w += PercentEncoding.Normalize(pathAndQuery, text[w..], escapeRawChars: false);

            // Decoding never produces '?', so the query starts where it did.
            int queryStart = text[pathStart..w].IndexOf('?');
            if (queryStart < 0)
            {
                return new string(text[..w]);
            }

            queryStart += pathStart;
            if (!sortQuery)
            {
                int length = queryStart == w - 1 ? queryStart : w;
                return new string(text[..length]);
            }

            Span<char> sorted = buffer.Slice(half, half);
            int sortedLength = SortQuery(text[(queryStart + 1)..w], sorted);
            return sortedLength == 0
                ? new string(text[..queryStart])
                : string.Concat(text[..(queryStart + 1)], sorted[..sortedLength]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    private static bool TryGetIdnHost(Uri uri, [NotNullWhen(true)] out string? idnHost)
    {
        try
        {
            idnHost = uri.IdnHost;
            return System.Text.Ascii.IsValid(idnHost);
        }
        catch (ArgumentException)
        {
            // IdnMapping rejects labels that are not valid IDNA; such a host cannot be fetched either.
            idnHost = null;
            return false;
        }
    }

    // True when the query has an empty pair or pairs out of key order.
    private static bool QueryNeedsSorting(ReadOnlySpan<char> query)
    {
        ReadOnlySpan<char> previousKey = default;
        bool first = true;
        foreach (Range range in query.Split('&'))
        {
            ReadOnlySpan<char> pair = query[range];
            if (pair.IsEmpty)
            {
                return true;
            }

            ReadOnlySpan<char> key = KeyOf(pair);
            if (!first && key.SequenceCompareTo(previousKey) < 0)
            {
                return true;
            }

            previousKey = key;
            first = false;
        }

        return false;
    }

    // Writes the non-empty pairs of query sorted by key, keeping the order of equal keys; returns the length.
    private static int SortQuery(ReadOnlySpan<char> query, Span<char> destination)
    {
        int count = query.Count('&') + 1;
        var pairs = new List<(int Start, int Length, int Index)>(count);
        foreach (Range range in query.Split('&'))
        {
            (int start, int length) = range.GetOffsetAndLength(query.Length);
            if (length > 0)
            {
                pairs.Add((start, length, pairs.Count));
            }
        }

        string text = query.ToString();
        pairs.Sort((a, b) =>
        {
            int byKey = KeyOf(text.AsSpan(a.Start, a.Length)).SequenceCompareTo(KeyOf(text.AsSpan(b.Start, b.Length)));
            return byKey != 0 ? byKey : a.Index.CompareTo(b.Index);
        });

        int w = 0;
        foreach ((int start, int length, _) in pairs)
        {
            if (w > 0)
            {
                destination[w++] = '&';
            }

            text.AsSpan(start, length).CopyTo(destination[w..]);
            w += length;
        }

        return w;
    }

    private static ReadOnlySpan<char> KeyOf(ReadOnlySpan<char> pair)
    {
        int equals = pair.IndexOf('=');
        return equals < 0 ? pair : pair[..equals];
    }
}
