using System.Text.RegularExpressions;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// Decides which discovered links become requests: depth, scope (host, domain, any),
/// --include/--exclude, and the per-path cap on distinct query strings that ends calendar traps.
/// </summary>
internal sealed class ScopeFilter
{
    private readonly CrawlOptions options;
    private readonly Regex[] include;
    private readonly Regex[] exclude;
    private readonly Dictionary<string, HashSet<string>> queryVariants = new(StringComparer.Ordinal);

    public ScopeFilter(CrawlOptions options)
    {
        this.options = options;
        include = [.. options.Include.Select(Compile)];
        exclude = [.. options.Exclude.Select(Compile)];
    }

    public long OutOfScope { get; private set; }

    /// <summary>True when <paramref name="url"/> found on <paramref name="parent"/> should be queued.</summary>
    public bool Allows(CrawlRequest parent, Uri url)
    {
        if (!InScope(parent.ScopeHost, url) || !Matches(url.AbsoluteUri))
        {
            OutOfScope++;
            return false;
        }
        return true;
    }

    /// <summary>True when a redirect target is within the scope of the request that redirected.</summary>
    public bool InScope(string scopeHost, Uri url) => options.Scope switch
    {
        CrawlScope.Any => true,
        CrawlScope.Domain => RegistrableDomain.SameOrSubdomain(url.IdnHost, RegistrableDomain.Of(scopeHost)),
        _ => url.IdnHost.Equals(scopeHost, StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Counts a query variant of a path; false for a new one once the path has had too many.</summary>
    public bool TakeQueryVariant(Uri url)
    {
        if (url.Query.Length == 0)
        {
            return true;
        }
        var key = url.GetLeftPart(UriPartial.Path);
        if (!queryVariants.TryGetValue(key, out var queries))
        {
            queryVariants[key] = queries = new HashSet<string>(StringComparer.Ordinal);
        }
        if (queries.Contains(url.Query))
        {
            return true;
        }
        if (queries.Count >= options.MaxQueryVariants)
        {
            OutOfScope++;
            return false;
        }
        queries.Add(url.Query);
        return true;
    }

    /// <summary>--include (any of them, when given) and no --exclude match the URL.</summary>
    /// <remarks>Loops, not Array.Exists: its lambda captured the URL, two objects for every link found.</remarks>
    private bool Matches(string url) => (include.Length == 0 || AnyMatch(include, url)) && !AnyMatch(exclude, url);

    private static bool AnyMatch(Regex[] patterns, string url)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.IsMatch(url))
            {
                return true;
            }
        }
        return false;
    }

    private static Regex Compile(string pattern) =>
        new(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
}
