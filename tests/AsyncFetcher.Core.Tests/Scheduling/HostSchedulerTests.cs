using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Tests.Scheduling;

public sealed class HostSchedulerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Robots_txt_is_fetched_first_and_the_host_waits_for_it()
    {
        var scheduler = new HostScheduler(new CrawlOptions());
        scheduler.Enqueue(Request("http://a.test/1"));
        scheduler.Enqueue(Request("http://a.test/2"));

        Assert.Equal(HostScheduler.DecisionKind.FetchRobots, scheduler.Next(T0).Kind);
        Assert.Equal(HostScheduler.DecisionKind.Wait, scheduler.Next(T0).Kind);
        scheduler.SetRobots("http://a.test", RobotsTxt.AllowAll, null, T0);
        Assert.Equal("http://a.test/1", scheduler.Next(T0).Request!.Url.AbsoluteUri);
    }

    [Fact]
    public void Delay_spaces_requests_to_one_host_from_the_last_answer()
    {
        var scheduler = Ready(new CrawlOptions { Delay = TimeSpan.FromSeconds(10) }, "http://a.test/1", "http://a.test/2", "http://a.test/3");

        // The first page waits the delay after robots.txt's answer (T0), like any other request to the host.
        Assert.Equal(T0.AddSeconds(10), scheduler.Next(T0.AddSeconds(1)).Due);
        Assert.Equal(HostScheduler.DecisionKind.Fetch, scheduler.Next(T0.AddSeconds(10)).Kind);
        // While it is out, nothing else goes to the host: the server may not have read it yet.
        var busy = scheduler.Next(T0.AddSeconds(25));
        Assert.Equal(HostScheduler.DecisionKind.Wait, busy.Kind);
        Assert.Null(busy.Due);
        // Its answer began at 30 s: the next request may leave at 40 s, not 20 s after the last one left.
        scheduler.Completed("http://a.test", null, throttled: false, T0.AddSeconds(31), answered: T0.AddSeconds(30));
        Assert.Equal(T0.AddSeconds(40), scheduler.Next(T0.AddSeconds(31)).Due);
        Assert.Equal(HostScheduler.DecisionKind.Wait, scheduler.Next(T0.AddSeconds(39.9)).Kind);
        Assert.Equal(HostScheduler.DecisionKind.Fetch, scheduler.Next(T0.AddSeconds(40)).Kind);
    }

    [Fact]
    public void Delay_keeps_one_request_at_a_time_whatever_max_per_host()
    {
        var scheduler = Ready(new CrawlOptions { Max = 10, MaxPerHost = 4, Delay = TimeSpan.FromSeconds(1) }, "http://a.test/1", "http://a.test/2");

        Assert.Equal(HostScheduler.DecisionKind.Fetch, scheduler.Next(T0.AddSeconds(1)).Kind);
        Assert.Equal(HostScheduler.DecisionKind.Wait, scheduler.Next(T0.AddSeconds(5)).Kind);
    }

    [Fact]
    public void Crawl_delay_from_robots_is_honoured_and_capped()
    {
        var options = new CrawlOptions { MaxCrawlDelay = TimeSpan.FromSeconds(3) };
        var scheduler = new HostScheduler(options);
        scheduler.Enqueue(Request("http://a.test/1"));
        scheduler.Enqueue(Request("http://a.test/2"));
        scheduler.Next(T0);
        scheduler.SetRobots("http://a.test", RobotsTxt.Parse("User-agent: *\nCrawl-delay: 30\n", "asyncfetch"), null, T0);

        Assert.Equal(T0.AddSeconds(3), scheduler.Next(T0).Due);
        Assert.Equal(HostScheduler.DecisionKind.Fetch, scheduler.Next(T0.AddSeconds(3)).Kind);
        scheduler.Completed("http://a.test", null, throttled: false, T0.AddSeconds(4), answered: T0.AddSeconds(4));
        Assert.Equal(T0.AddSeconds(7), scheduler.Next(T0.AddSeconds(4)).Due);
    }

    [Fact]
    public void Hosts_take_turns_and_each_has_its_own_limit()
    {
        var scheduler = Ready(new CrawlOptions { Max = 10, MaxPerHost = 1 }, "http://a.test/1", "http://a.test/2", "http://b.test/1");

        var first = scheduler.Next(T0);
        var second = scheduler.Next(T0);
        Assert.Equal(["a.test", "b.test"], new[] { first.Request!.Url.Host, second.Request!.Url.Host }.Order());
        Assert.Equal(HostScheduler.DecisionKind.Wait, scheduler.Next(T0).Kind);
        scheduler.Release("http://a.test");
        Assert.Equal("http://a.test/2", scheduler.Next(T0).Request!.Url.AbsoluteUri);
    }

    [Fact]
    public void Allow_beats_disallow_when_longer_or_equal()
    {
        var scheduler = new HostScheduler(new CrawlOptions());
        foreach (var url in new[] { "http://a.test/folder/page", "http://a.test/folder/other", "http://a.test/page" })
        {
            scheduler.Enqueue(Request(url));
        }
        scheduler.Next(T0);
        scheduler.SetRobots("http://a.test", RobotsTxt.Parse("User-agent: *\nDisallow: /folder/\nAllow: /folder/page\nDisallow: /page\nAllow: /page\n", "asyncfetch"), null, T0);

        var decisions = Enumerable.Range(0, 3).Select(_ => scheduler.Next(T0)).ToList();

        Assert.Equal(
            [HostScheduler.DecisionKind.Fetch, HostScheduler.DecisionKind.Disallowed, HostScheduler.DecisionKind.Fetch],
            decisions.Select(d => d.Kind));
    }

    private static HostScheduler Ready(CrawlOptions options, params string[] urls)
    {
        var scheduler = new HostScheduler(options);
        foreach (var url in urls)
        {
            scheduler.Enqueue(Request(url));
        }
        foreach (var host in urls.Select(u => new Uri(u).GetLeftPart(UriPartial.Authority)).Distinct())
        {
            Assert.Equal(HostScheduler.DecisionKind.FetchRobots, scheduler.Next(T0).Kind);
            scheduler.SetRobots(host, RobotsTxt.AllowAll, null, T0);
        }
        return scheduler;
    }

    private static CrawlRequest Request(string url) => new(new Uri(url), 0, null, new Uri(url).Host);
}
