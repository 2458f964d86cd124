using System.Collections.Concurrent;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// The crawl's hrefs as already resolved and normalised, shared by every page of one directory and by
/// every worker. Pages of a site repeat their links from page to page (postgresql-doc: 29,867 hrefs on
/// 1,170 pages, 4,892 distinct; a navigation bar on every page), and each System.Uri costs about a
/// microsecond and half a kilobyte to build: resolving them once per page was a tenth of that crawl's CPU,
/// and a third of what it allocated.
/// </summary>
/// <remarks>
/// An href that is a path (<c>a.html</c>, <c>../b/</c>, <c>/c</c>), a network path (<c>//host/x</c>) or
/// an absolute URL with an authority (<c>https://host/x</c>) resolves the same against every page of one
/// directory (RFC 3986 section 5.2.2: only the base's scheme, authority and path up to its last '/' take
/// part), so its entry is keyed by that directory (<see cref="For"/>). An href that starts with '?', or
/// that has another scheme (where System.Uri may read <c>http:x</c> as relative to the whole base), is
/// resolved on each page as before (<see cref="Directory.Holds"/>). Memory is bounded: past
/// <see cref="Capacity"/> entries the cache starts over, so a crawl of a million distinct links holds at
/// most that many (about 2 MB) and pays one failed lookup per href for it.
/// </remarks>
internal sealed class HrefCache
{
    /// <summary>Entries (hrefs and directories) held at most, over all directories.</summary>
    public const int Capacity = 4096;

    /// <summary>The entries by base directory; replaced whole when the cache starts over.</summary>
    private volatile ConcurrentDictionary<string, Directory> directories = new(StringComparer.Ordinal);

    /// <summary>Entries added since the cache last started over (approximate: a page still using an old directory adds too).</summary>
    private int entries;

    /// <summary>The entries of the directory <paramref name="baseUri"/> is in, for one page's links.</summary>
    public Directory For(Uri baseUri)
    {
        var url = baseUri.AbsoluteUri;
        var end = url.AsSpan(0, url.AsSpan().IndexOfAny('?', '#') is var q and >= 0 ? q : url.Length).LastIndexOf('/') + 1;
        var key = url[..end];
        var all = directories;
        if (!all.TryGetValue(key, out var directory))
        {
            // A directory counts as an entry too, so a crawl of many directories whose hrefs are never kept stays bounded.
            directory = all.GetOrAdd(key, new Directory(this));
            Added();
        }
        return directory;
    }

    private void Added()
    {
        if (Interlocked.Increment(ref entries) > Capacity)
        {
            directories = new(StringComparer.Ordinal);
            Interlocked.Exchange(ref entries, 0);
        }
    }

    /// <summary>One base directory's hrefs (their key as <see cref="UrlNormalizer"/> makes it) and what each resolved to; null when it did not.</summary>
    internal sealed class Directory(HrefCache owner)
    {
        private readonly ConcurrentDictionary<string, Uri?> resolved = new(StringComparer.Ordinal);

        /// <summary>True when <paramref name="href"/> (cleaned, not empty) resolves the same on every page of the directory, so it may be kept here.</summary>
        public static bool Holds(ReadOnlySpan<char> href)
        {
            if (href[0] == '?')
            {
                return false;
            }
            var colon = href.IndexOfAny(":/?#");
            return colon < 0 || href[colon] != ':' || href[(colon + 1)..].StartsWith("//");
        }

        public bool TryGet(ReadOnlySpan<char> key, out Uri? result) => resolved.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(key, out result);

        public void Add(string key, Uri? result)
        {
            if (resolved.TryAdd(key, result))
            {
                owner.Added();
            }
        }
    }
}
