using System.Collections.Concurrent;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Engine;

/// <summary>What a crawl of the open web records and sends: robots.txt failures named, link caps counted, URL credentials masked and sent only when asked.</summary>
public sealed class OpenWebTests
{
    [Fact]
    public async Task A_page_blocked_because_robots_txt_timed_out_says_so()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/robots.txt", async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        site.Links("/");
        var clock = new WatchedClock();
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Robots = true;
        options.Timeout = TimeSpan.FromSeconds(10);
        await using var provider = EngineHarness.Build(options, clock);

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        await site.WaitForRequestsAsync(1, TimeSpan.FromSeconds(60));
        clock.Advance(TimeSpan.FromSeconds(10));
        var results = await crawl.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("robots.txt timeout", Assert.Single(results).Error);
        Assert.DoesNotContain("/", site.Log);
    }

    [Fact]
    public async Task A_page_adds_at_most_max_links_per_page_and_the_rest_are_counted()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", [.. Enumerable.Range(0, 25).Select(i => $"/p/{i}")]);
        site.Fallback = context => Responses.Html(context, "leaf");
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 1;
        options.MaxLinksPerPage = 10;
        await using var provider = EngineHarness.Build(options, new WatchedClock());
        var engine = provider.GetRequiredService<CrawlEngine>();

        var results = await EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);

        Assert.Equal(11, results.Count);
        var seed = results.Single(r => r.Depth == 0);
        Assert.Equal(25, seed.Links);
        Assert.Equal("15 link(s) past --max-links-per-page (10) not followed", seed.Note);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => site.Url($"/p/{i}").AbsoluteUri).Order(), results.Where(r => r.Depth == 1).Select(r => r.Url).Order());
        Assert.Equal(15, engine.Stats.LinksOverCap);
    }

    [Fact]
    public async Task The_last_url_of_a_host_closes_its_connection_instead_of_leaving_it_idle()
    {
        await using var site = await LocalSite.StartAsync();
        var connection = new ConcurrentDictionary<string, string>();
        site.Fallback = context =>
        {
            connection[context.Request.Path] = context.Request.Headers.Connection.ToString();
            return Responses.Html(context, "page");
        };
        site.Links("/", "/a", "/b");
        site.Map("/a", context =>
        {
            connection["/a"] = context.Request.Headers.Connection.ToString();
            return Responses.Html(context, "a");
        });
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Max = 1;
        options.Depth = 1;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), site.Url("/"));

        Assert.Equal(3, results.Count);
        // "/a" was dispatched while "/b" waited; "/b" was the host's last queued URL.
        Assert.NotEqual("close", connection["/a"], StringComparer.OrdinalIgnoreCase);
        Assert.Equal("close", connection["/b"], StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_password_in_a_url_is_masked_everywhere_and_sent_only_with_send_url_credentials(bool send)
    {
        await using var site = await LocalSite.StartAsync();
        var authorization = new ConcurrentBag<string>();
        site.Fallback = context =>
        {
            authorization.Add(context.Request.Path + " " + context.Request.Headers.Authorization);
            return Responses.Html(context, "page");
        };
        site.Map("/", context =>
        {
            authorization.Add("/ " + context.Request.Headers.Authorization);
            return Responses.Html(context, "seed", $"<a href=\"http://linked:hunter2@{site.BaseUrl.Authority}/from-link\">x</a><a href=\"/next\">n</a>");
        });
        var options = EngineHarness.Resilient(retries: 0, retryDelay: TimeSpan.Zero);
        options.Depth = 1;
        options.Scope = CrawlScope.Any;
        options.SendUrlCredentials = send;
        var seedText = $"http://user:s3cret@{site.BaseUrl.Authority}/";
        Assert.True(Uri.TryCreate(seedText, UriKind.Absolute, out _));
        var seed = AsyncFetcher.Core.Parsing.SeedReader.Parse(seedText, "argument", 2048).Url!;

        var (results, _) = await EngineHarness.CrawlAsync(options, new WatchedClock(), seed);

        var text = string.Join('\n', results.Select(r => $"{r.Url} {r.FinalUrl} {r.Parent} {r.Error}"));
        Assert.DoesNotContain("s3cret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains(results, r => r.Url == $"http://user:***@{site.BaseUrl.Authority}/");
        Assert.Contains(results, r => r.Url == $"http://linked:***@{site.BaseUrl.Authority}/from-link");
        var basic = "Basic " + Convert.ToBase64String("user:s3cret"u8.ToArray());
        Assert.Equal(send, authorization.Contains("/ " + basic));
        // A password found in a link is never sent, with or without the option.
        Assert.Contains("/from-link ", authorization);
    }

    [Fact]
    public async Task A_host_spelled_with_and_without_credentials_is_one_host_for_its_limits_and_robots_txt()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/with", "/w1", "/w2", "/w3", "/w4");
        site.Links("/without", "/o1", "/o2", "/o3", "/o4");
        site.Delay = TimeSpan.FromMilliseconds(20);
        var options = EngineHarness.Fast(max: 10, depth: 1);
        options.MaxPerHost = 1;
        options.Robots = true;
        // Links on the first seed's page keep its (masked) userinfo: half the crawl is spelled with it.
        var withCredentials = AsyncFetcher.Core.Parsing.SeedReader.Parse($"http://user:s3cret@{site.BaseUrl.Authority}/with", "argument", 2048).Url!;

        var results = await EngineHarness.CrawlAsync(options, withCredentials, site.Url("/without"));

        Assert.Equal(10, results.Count);
        Assert.Equal(5, results.Count(r => r.Url.StartsWith("http://user:***@", StringComparison.Ordinal)));
        Assert.Equal(1, site.Log.Count(p => p == "/robots.txt"));
        Assert.Equal(1, site.PeakInFlight);
    }
}
