using System.Collections.Concurrent;
using AsyncFetcher.Core.Engine;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AsyncFetcher.Core.Tests.Engine;

public sealed class CrawlEngineTests
{
    [Fact]
    public async Task Fetches_every_reachable_page_exactly_once_and_ends_by_itself()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 300, links: 8);

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(max: 50, depth: 1000), site.Url("/index.html"));

        var pages = site.Log.Where(p => p != "/robots.txt").ToList();
        Assert.Equal(301, pages.Count);
        Assert.Equal(pages.Count, pages.Distinct().Count());
        Assert.Equal(301, results.Count);
        Assert.All(results, r => Assert.Equal(200, r.Status));
        Assert.Equal(1, site.Log.Count(p => p == "/robots.txt"));
    }

    [Fact]
    public async Task Never_has_more_than_max_requests_in_flight()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 120, links: 10);
        site.Delay = TimeSpan.FromMilliseconds(20);

        await EngineHarness.CrawlAsync(EngineHarness.Fast(max: 7, depth: 1000), site.Url("/index.html"));

        Assert.Equal(121, site.Log.Count(p => p != "/robots.txt"));
        Assert.InRange(site.PeakInFlight, 1, 7);
    }

    [Fact]
    public async Task Per_host_limit_holds_below_the_global_limit()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 60, links: 10);
        site.Delay = TimeSpan.FromMilliseconds(10);
        var options = EngineHarness.Fast(max: 20, depth: 1000);
        options.MaxPerHost = 2;

        await EngineHarness.CrawlAsync(options, site.Url("/index.html"));

        Assert.InRange(site.PeakInFlight, 1, 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(100)]
    public async Task Page_cap_is_exact_even_at_high_concurrency(int cap)
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 400, links: 10);
        var options = EngineHarness.Fast(max: 50, depth: 1000);
        options.MaxPages = cap;

        var results = await EngineHarness.CrawlAsync(options, site.Url("/index.html"));

        Assert.Equal(cap, results.Count);
        Assert.Equal(cap, site.Log.Count(p => p != "/robots.txt"));
    }

    [Fact]
    public async Task Depth_limit_is_exact()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/d1");
        site.Links("/d1", "/d2");
        site.Links("/d2", "/d3");
        site.Links("/d3", "/d4");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(depth: 2), site.Url("/"));

        Assert.Equal(["/", "/d1", "/d2"], results.Select(r => new Uri(r.Url).AbsolutePath).Order());
        Assert.Equal([0, 1, 2], results.Select(r => r.Depth).Order());
        Assert.DoesNotContain("/d3", site.Log);
    }

    [Fact]
    public async Task Depth_zero_fetches_only_the_seeds()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/a", "/b");
        site.Links("/b", "/c");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(depth: 0), site.Url("/a"), site.Url("/b"));

        Assert.Equal(2, results.Count);
        Assert.DoesNotContain("/c", site.Log);
    }

    [Fact]
    public async Task Robots_disallowed_pages_are_never_requested_and_are_counted()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain");
        site.Links("/", "/public", "/private/secret", "/private/other");
        site.Links("/public", "/");

        await using var provider = EngineHarness.Build(EngineHarness.Fast());
        var results = await EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);

        Assert.DoesNotContain(site.Log, p => p.StartsWith("/private/", StringComparison.Ordinal));
        Assert.Equal(2, results.Count);
        Assert.Equal(2, provider.GetRequiredService<CrawlEngine>().Stats.Disallowed);
    }

    [Fact]
    public async Task No_robots_fetches_disallowed_pages_and_never_asks_for_robots_txt()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", "User-agent: *\nDisallow: /\n", "text/plain");
        site.Links("/", "/a");
        var options = EngineHarness.Fast();
        options.Robots = false;

        var results = await EngineHarness.CrawlAsync(options, site.Url("/"));

        Assert.Equal(2, results.Count);
        Assert.DoesNotContain("/robots.txt", site.Log);
    }

    [Fact]
    public async Task A_disallowed_seed_gets_a_record_saying_why()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", "User-agent: *\nDisallow: /\n", "text/plain");
        site.Links("/", "/a");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        var record = Assert.Single(results);
        Assert.Equal("disallowed by robots.txt", record.Error);
        Assert.Null(record.Status);
        Assert.Equal(["/robots.txt"], site.Log);
    }

    [Fact]
    public async Task Robots_5xx_means_the_host_is_not_crawled()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/robots.txt", "oops", "text/plain", status: 503);
        site.Links("/", "/a");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal("robots.txt unavailable (status 503)", Assert.Single(results).Error);
        Assert.DoesNotContain("/", site.Log);
    }

    [Fact]
    public async Task Meta_robots_nofollow_and_rel_nofollow_are_respected()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("home", "<a href=\"/meta\">meta</a> <a rel=\"nofollow\" href=\"/skipped\">x</a> <a rel=\"external nofollow\" href=\"/skipped2\">y</a>"));
        site.Page("/meta", LocalSite.Html("meta", "<meta name=\"robots\" content=\"noindex, nofollow\"><a href=\"/never\">never</a>"));
        site.Links("/never", "/");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal(["/", "/meta"], results.Select(r => new Uri(r.Url).AbsolutePath).Order());
        Assert.DoesNotContain("/never", site.Log);
        Assert.DoesNotContain("/skipped", site.Log);
        Assert.DoesNotContain("/skipped2", site.Log);
    }

    [Fact]
    public async Task Follow_nofollow_follows_rel_nofollow_links()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("home", "<a rel=\"nofollow\" href=\"/n\">x</a>"));
        site.Links("/n");
        var options = EngineHarness.Fast();
        options.FollowNofollow = true;

        var results = await EngineHarness.CrawlAsync(options, site.Url("/"));

        Assert.Equal(2, results.Count);
    }

    [Fact]
    public async Task Spellings_of_one_url_are_fetched_once()
    {
        await using var site = await LocalSite.StartAsync();
        var port = site.BaseUrl.Port;
        site.Page("/", LocalSite.Html("home", string.Join(' ',
            "<a href=\"/a/~b\">1</a>", "<a href=\"/a/%7Eb\">2</a>", "<a href=\"/a/%7eb\">3</a>", "<a href=\"  /a/./x/../~b  \">4</a>",
            "<a href=\"/a/~b#frag\">5</a>", $"<a href=\"HTTP://127.0.0.1:{port}/a/~b\">6</a>", "<a href=\"#top\">7</a>",
            "<a href=\"mailto:x@example.invalid\">8</a>", "<a href=\"javascript:void(0)\">9</a>")));
        site.Links("/a/~b");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal(2, results.Count);
        Assert.Single(site.Log, p => p is "/a/~b" or "/a/%7Eb");
    }

    [Fact]
    public async Task Base_href_resolves_relative_links()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("home", "<base href=\"/deep/dir/\"><a href=\"page\">p</a>"));
        site.Links("/deep/dir/page");

        await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Contains("/deep/dir/page", site.Log);
        Assert.DoesNotContain("/page", site.Log);
    }

    [Fact]
    public async Task Host_scope_does_not_follow_other_hosts()
    {
        await using var site = await LocalSite.StartAsync();
        // localhost and 127.0.0.1 are the same server but different hosts to the crawler.
        var other = new UriBuilder(site.BaseUrl) { Host = "localhost" }.Uri;
        site.Links("/", new Uri(other, "/elsewhere").AbsoluteUri, "/here");
        site.Links("/here");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal(2, results.Count);
        Assert.DoesNotContain("/elsewhere", site.Log);
    }

    [Fact]
    public async Task Include_and_exclude_filter_followed_links()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/keep/1", "/keep/2", "/drop/1", "/keep/skip");
        foreach (var p in new[] { "/keep/1", "/keep/2", "/drop/1", "/keep/skip" })
        {
            site.Links(p);
        }
        var options = EngineHarness.Fast();
        options.Include = ["/keep/"];
        options.Exclude = ["skip$"];

        var results = await EngineHarness.CrawlAsync(options, site.Url("/"));

        Assert.Equal(["/", "/keep/1", "/keep/2"], results.Select(r => new Uri(r.Url).AbsolutePath).Order());
    }

    [Fact]
    public async Task Query_variants_of_one_path_are_capped()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/cal", async context =>
        {
            var day = int.Parse(context.Request.Query["d"].FirstOrDefault() ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync(LocalSite.Html("cal", $"<a href=\"/cal?d={day + 1}\">next</a>"));
        });
        var options = EngineHarness.Fast(depth: 10_000);
        options.MaxQueryVariants = 5;

        var results = await EngineHarness.CrawlAsync(options, site.Url("/cal"));

        Assert.Equal(6, results.Count);
    }

    [Fact]
    public async Task Redirects_are_followed_by_the_engine_and_recorded()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/old");
        site.Redirect("/old", "/middle", 301);
        site.Redirect("/middle", "/new", 302);
        site.Links("/new", "/");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        var moved = Assert.Single(results, r => r.Url.EndsWith("/old", StringComparison.Ordinal));
        Assert.Equal(site.Url("/new").AbsoluteUri, moved.FinalUrl);
        Assert.Equal(200, moved.Status);
        Assert.Equal(2, moved.Redirects);
        Assert.Equal(3, moved.Attempts);
        Assert.Equal(2, results.Count);
        Assert.Single(site.Log, p => p == "/new");
    }

    [Fact]
    public async Task A_redirect_to_a_page_already_seen_does_not_fetch_it_again()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/alias", "/target");
        site.Redirect("/alias", "/target");
        site.Links("/target");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(max: 1), site.Url("/"));

        Assert.Single(site.Log, p => p == "/target");
        var alias = Assert.Single(results, r => r.Url.EndsWith("/alias", StringComparison.Ordinal));
        Assert.Equal(302, alias.Status);
        Assert.Equal(site.Url("/target").AbsoluteUri, alias.FinalUrl);
    }

    [Fact]
    public async Task A_redirect_loop_ends_with_an_error()
    {
        await using var site = await LocalSite.StartAsync();
        site.Redirect("/a", "/b");
        site.Redirect("/b", "/a");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/a"));

        Assert.Equal("redirect loop", Assert.Single(results).Error);
    }

    [Fact]
    public async Task Too_many_redirects_end_with_an_error()
    {
        await using var site = await LocalSite.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            site.Redirect($"/r{i}", $"/r{i + 1}");
        }
        var options = EngineHarness.Fast();
        options.MaxRedirects = 3;

        var results = await EngineHarness.CrawlAsync(options, site.Url("/r0"));

        Assert.Equal("too many redirects", Assert.Single(results).Error);
        Assert.DoesNotContain("/r4", site.Log);
    }

    [Fact]
    public async Task An_off_scope_redirect_target_is_not_fetched()
    {
        await using var site = await LocalSite.StartAsync();
        var other = new UriBuilder(site.BaseUrl) { Host = "localhost", Path = "/away" }.Uri;
        site.Links("/", "/go");
        site.Redirect("/go", other.AbsoluteUri);

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        Assert.Equal("redirect out of scope", Assert.Single(results, r => r.Url.EndsWith("/go", StringComparison.Ordinal)).Error);
        Assert.DoesNotContain("/away", site.Log);
    }

    [Fact]
    public async Task A_hanging_server_gives_a_timeout_record()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/hang", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        site.Links("/ok");
        var options = EngineHarness.Fast();
        options.Timeout = TimeSpan.FromMilliseconds(300);

        var results = await EngineHarness.CrawlAsync(options, site.Url("/hang"), site.Url("/ok"));

        Assert.Equal("timeout", Assert.Single(results, r => r.Url.EndsWith("/hang", StringComparison.Ordinal)).Error);
        Assert.Equal(200, Assert.Single(results, r => r.Url.EndsWith("/ok", StringComparison.Ordinal)).Status);
    }

    [Fact]
    public async Task A_refused_connection_gives_an_error_record()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), new Uri($"http://127.0.0.1:{port}/"));

        Assert.Equal("connection refused", Assert.Single(results).Error);
    }

    [Fact]
    public async Task Non_html_bodies_are_counted_not_parsed()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/data.json");
        site.Page("/data.json", "{\"href\": \"<a href='/nope'>\"}", "application/json");

        var results = await EngineHarness.CrawlAsync(EngineHarness.Fast(), site.Url("/"));

        var data = Assert.Single(results, r => r.Url.EndsWith(".json", StringComparison.Ordinal));
        Assert.Null(data.Links);
        Assert.Equal(28, data.Bytes);
        Assert.DoesNotContain("/nope", site.Log);
    }

    [Fact]
    public async Task Stopping_ends_the_crawl_without_new_requests()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 500, links: 5);
        site.Delay = TimeSpan.FromMilliseconds(5);
        using var stop = new CancellationTokenSource();
        await using var provider = EngineHarness.Build(EngineHarness.Fast(max: 4, depth: 1000));
        var engine = provider.GetRequiredService<CrawlEngine>();

        var results = new List<CrawlResult>();
        var requestsAtStop = 0;
        await foreach (var result in engine.RunAsync([site.Url("/index.html")], stop.Token))
        {
            results.Add(result);
            if (results.Count == 20)
            {
                requestsAtStop = site.Log.Count;
                await stop.CancelAsync();
            }
        }
        var requestsAtEnd = site.Log.Count;

        // What was in flight (at most --max) may finish; nothing new starts; every fetched page has its record.
        Assert.InRange(requestsAtEnd - requestsAtStop, 0, 4);
        Assert.Equal(requestsAtEnd - 1, results.Count);
        Assert.True(results.Count < 501);
    }

    [Fact]
    public async Task Delay_holds_requests_until_the_clock_reaches_the_interval()
    {
        // The clock is read when each request reaches the server, and moves only when the test moves it, after
        // that reading: the times below are exact, however slowly the machine runs. The interval runs from the
        // answer, which begins at the same fake moment; the timers started before a request arrived are
        // forgotten there, so the one the test waits for is the wait after that request's answer.
        var clock = new WatchedClock();
        var arrivals = new ConcurrentQueue<DateTimeOffset>();
        using var arrived = new SemaphoreSlim(0);
        await using var site = await LocalSite.StartAsync();
        foreach (var (path, links) in new[] { ("/", "<a href=\"/a\"></a><a href=\"/b\"></a>"), ("/a", ""), ("/b", "") })
        {
            site.Map(path, async context =>
            {
                arrivals.Enqueue(clock.GetUtcNow());
                clock.ForgetTimers();
                arrived.Release();
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(LocalSite.Html(path, links));
            });
        }
        var options = EngineHarness.Fast();
        options.Delay = TimeSpan.FromSeconds(10);
        options.Robots = false;
        // The fake clock also drives the attempt timeouts: keep them far beyond the advances.
        options.Timeout = TimeSpan.FromHours(1);
        await using var provider = EngineHarness.Build(options, clock);

        var crawl = EngineHarness.CrawlAsync(provider, [site.Url("/")], CancellationToken.None);
        for (var page = 0; page < 3; page++)
        {
            Assert.True(await arrived.WaitAsync(TimeSpan.FromSeconds(60)), $"page {page + 1} never arrived");
            if (page < 2)
            {
                // The engine waits for the host's interval after the answer, on the injected clock: move it that far, and no further.
                Assert.Equal(options.Delay, await clock.NextTimerAsync(due => due > TimeSpan.Zero && due <= options.Delay));
                clock.Advance(options.Delay);
            }
        }
        var results = await crawl.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(3, results.Count);
        var first = arrivals.First();
        Assert.Equal([first, first + options.Delay, first + (2 * options.Delay)], arrivals);
    }
}
