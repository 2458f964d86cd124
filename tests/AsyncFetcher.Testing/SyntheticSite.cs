using AsyncFetcher.Loopback;

namespace AsyncFetcher.Testing;

/// <summary>Sites of many pages for crawl-shaped tests.</summary>
public static class SyntheticSite
{
    /// <summary>A synthetic site like ../shared/benchsite/gensite.py: page i links to i+1 (a ring) and to k-1 pseudo-random pages.</summary>
    public static void Synthetic(this LocalSite site, int pages, int links, int seed = 7)
    {
        ArgumentNullException.ThrowIfNull(site);
        var random = new Random(seed);
        for (var i = 0; i < pages; i++)
        {
            var targets = new List<string> { $"/p/{(i + 1) % pages}.html" };
            for (var j = 1; j < links; j++)
            {
                targets.Add($"/p/{random.Next(pages)}.html");
            }
            site.Links($"/p/{i}.html", [.. targets]);
        }
        site.Links("/index.html", "/p/0.html");
    }
}
