using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Core.Tests.Scheduling;

/// <summary>robots.txt redirects are followed by the rule a page's are: --max-redirects, no loops, across hosts.</summary>
public sealed class RobotsFetcherTests
{
    [Fact]
    public async Task A_redirected_robots_txt_is_followed_and_its_rules_apply()
    {
        await using var site = await LocalSite.StartAsync();
        site.Redirect("/robots.txt", "/rules.txt", 301);
        site.Page("/rules.txt", "User-agent: *\nDisallow: /private/\n", "text/plain");
        site.Links("/", "/public", "/private/secret");
        site.Links("/public");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal(2, results.Count);
        Assert.Equal(["/robots.txt", "/rules.txt"], site.Log.Take(2));
        Assert.DoesNotContain("/private/secret", site.Log);
    }

    [Fact]
    public async Task A_robots_txt_on_another_host_is_followed()
    {
        await using var site = await LocalSite.StartAsync();
        await using var rules = await LocalSite.StartAsync();
        site.Redirect("/robots.txt", rules.Url("/robots.txt").AbsoluteUri);
        rules.Page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain");
        site.Links("/", "/private/secret");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Single(results);
        Assert.Equal(["/robots.txt"], rules.Log);
        Assert.DoesNotContain("/private/secret", site.Log);
    }

    [Fact]
    public async Task A_robots_txt_redirect_loop_counts_as_no_robots_txt()
    {
        await using var site = await LocalSite.StartAsync();
        site.Redirect("/robots.txt", "/elsewhere.txt");
        site.Redirect("/elsewhere.txt", "/robots.txt");
        site.Links("/", "/a");
        site.Links("/a");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal(2, results.Count);
        Assert.Equal(1, site.Log.Count(p => p == "/robots.txt"));
        Assert.Equal(1, site.Log.Count(p => p == "/elsewhere.txt"));
    }

    [Fact]
    public async Task A_robots_txt_chain_longer_than_max_redirects_counts_as_no_robots_txt()
    {
        await using var site = await LocalSite.StartAsync();
        site.Redirect("/robots.txt", "/r1");
        site.Redirect("/r1", "/r2");
        site.Redirect("/r2", "/r3");
        site.Page("/r3", "User-agent: *\nDisallow: /\n", "text/plain");
        site.Links("/", "/a");
        site.Links("/a");
        var options = EngineHarness.Fast();
        options.MaxRedirects = 2;

        var results = await EngineHarness.CrawlAsync(options, site.Url("/"));

        // Two redirects followed, the third not: no robots.txt, so everything may be crawled.
        Assert.Equal(2, results.Count);
        Assert.Equal(["/robots.txt", "/r1", "/r2"], site.Log.Take(3));
        Assert.DoesNotContain("/r3", site.Log);
    }
}
