using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// The second half of normalisation: from a URL System.Uri has parsed to its canonical form (what
/// Uri leaves as it is: the fragment, a Unicode host, lower-case escapes, an empty query, the query
/// order), with any password masked (<see cref="UrlRedaction"/>).
/// </summary>
internal static partial class UrlNormalizer
{
    private static bool TryFinish(Uri uri, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result, bool keepPassword = false)
    {
        if (!TryCanonical(uri, sortQuery, maxLength, out result))
        {
            return false;
        }
        // Rare (an '@' in the authority), so the hot path pays one search of a short span.
        if (!keepPassword && UrlRedaction.HasUserInfo(result.AbsoluteUri))
        {
            result = UrlRedaction.Redact(result);
        }
        return true;
    }

    private static bool TryCanonical(Uri uri, bool sortQuery, int maxLength, [NotNullWhen(true)] out Uri? result)
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
            || (sortQuery && queryStart >= 0 && QueryOrder.NeedsSorting(pathAndQuery[(queryStart + 1)..]));

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
            int sortedLength = QueryOrder.Sort(text[(queryStart + 1)..w], sorted);
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
}
