using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace AsyncFetcher.Core.Tests.Scheduling;

/// <summary>
/// The auto-throttle against simulated hosts on a fake clock: the <see cref="HostScheduler"/> the engine's loop
/// uses decides what goes when, a simulated server answers each request after the latency (and with the status)
/// its load calls for, and the clock jumps from one event to the next. No sleeps, and every run is the same.
/// </summary>
public sealed class HostThrottleTests
{
    private static readonly TimeSpan Unloaded = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void A_host_that_answers_429_above_two_in_flight_settles_at_two_and_stops_answering_429()
    {
        var run = Simulate(maxPerHost: 8, pages: 400, inFlight => (Unloaded, inFlight > 2 ? 429 : 200));

        Assert.NotEmpty(run.Throttled); // the host did rate-limit: the test saw what it is about
        var settled = run.Throttled[^1];
        Assert.True(settled < run.Answers / 10, $"the last 429 came at answer {settled} of {run.Answers}");
        Assert.True(run.MaxInFlightAfter(settled) <= 2, $"{run.MaxInFlightAfter(settled)} in flight after the last 429");
        Assert.Equal(2, run.Final.Concurrency);
        Assert.Equal(TimeSpan.Zero, run.Final.Delay);
    }

    [Fact]
    public void A_host_whose_latency_doubles_under_load_gets_less_concurrency()
    {
        // 100 ms up to two requests at a time, then as much again for every two more: 400 ms at eight.
        var run = Simulate(maxPerHost: 8, pages: 400, inFlight => (Unloaded * Math.Max(1, inFlight / 2.0), 200));

        Assert.Empty(run.Throttled);
        Assert.True(run.Final.Backoffs > 0);
        Assert.True(run.Final.Concurrency <= 4, $"settled at {run.Final.Concurrency} of 8");
        Assert.True(run.MaxInFlightAfter(run.Answers / 2) <= 4, $"{run.MaxInFlightAfter(run.Answers / 2)} in flight in the second half");
    }

    [Fact]
    public void Latency_alone_never_slows_a_host_below_one_request_at_a_time()
    {
        // Slower and slower with load, and slow now and then even alone (a busy machine): never a 429.
        var run = Simulate(maxPerHost: 8, pages: 600, (inFlight, n) => (Unloaded * inFlight * inFlight * (n % 7 == 0 ? 10 : 1), 200));

        Assert.True(run.Final.Backoffs > 0);
        Assert.Equal(TimeSpan.Zero, run.MaxDelay);
        Assert.InRange(run.Final.Concurrency, 1, 3);
    }

    [Fact]
    public void A_fast_host_keeps_max_per_host_through_latency_that_varies()
    {
        // Latency that varies threefold from page to page, as pages of different sizes do, but not with load.
        var run = Simulate(maxPerHost: 8, pages: 2000, (inFlight, n) => (TimeSpan.FromMilliseconds(60 + (n * 37 % 120)), 200));

        Assert.Equal(0, run.Final.Backoffs);
        Assert.Equal(8, run.Final.Concurrency);
        Assert.Equal(8, run.MaxInFlightAfter(0));
    }

    [Fact]
    public void A_fast_host_climbs_back_to_max_per_host_after_a_burst_of_429s()
    {
        // The first 30 requests are refused, whatever the load; then the host is fast again.
        var run = Simulate(maxPerHost: 8, pages: 3000, (inFlight, n) => (Unloaded, n < 30 ? 429 : 200));

        Assert.NotEmpty(run.Throttled);
        Assert.True(run.Final.Backoffs > 0);
        Assert.Equal(8, run.Final.Concurrency);
        Assert.Equal(8, run.MaxInFlightAfter(run.Answers * 3 / 4));
    }

    [Fact]
    public void A_host_that_refuses_even_one_at_a_time_gets_a_delay_no_longer_than_max_crawl_delay()
    {
        // A rate limit, not a concurrency one: at most one request every 500 ms, else 429.
        DateTimeOffset? last = null;
        var clock = new FakeTimeProvider();
        var run = Simulate(maxPerHost: 4, pages: 200, (_, _) =>
        {
            var now = clock.GetUtcNow();
            var refused = last is { } l && now - l < TimeSpan.FromMilliseconds(500);
            if (!refused)
            {
                last = now;
            }
            return (TimeSpan.FromMilliseconds(10), refused ? 429 : 200);
        }, clock, maxCrawlDelay: TimeSpan.FromSeconds(2));

        Assert.Equal(1, run.Final.Concurrency);
        Assert.InRange(run.Final.Delay, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(2));
        var late = run.Throttled.Count(n => n > run.Answers / 2);
        Assert.True(late * 10 < run.Answers / 2, $"{late} 429s in the second half of {run.Answers} answers");
    }

    [Fact]
    public void The_throttle_is_never_faster_than_delay_nor_above_max_per_host()
    {
        var scheduler = new HostScheduler(new CrawlOptions { Max = 10, MaxPerHost = 3, Delay = TimeSpan.FromSeconds(2) });
        var clock = new FakeTimeProvider();
        Ready(scheduler, clock, "http://a.test/1", "http://a.test/2");

        Assert.Equal(HostScheduler.DecisionKind.Fetch, scheduler.Next(clock.GetUtcNow()).Kind);
        scheduler.Completed("http://a.test", Unloaded, throttled: false, clock.GetUtcNow());
        var wait = scheduler.Next(clock.GetUtcNow());
        Assert.Equal(HostScheduler.DecisionKind.Wait, wait.Kind);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromSeconds(2), wait.Due);
        Assert.Equal(3, scheduler.Host("http://a.test").Throttle!.Limit);
    }

    private static void Ready(HostScheduler scheduler, FakeTimeProvider clock, params string[] urls)
    {
        foreach (var url in urls)
        {
            scheduler.Enqueue(new CrawlRequest(new Uri(url), 0, null, "a.test"));
        }
        Assert.Equal(HostScheduler.DecisionKind.FetchRobots, scheduler.Next(clock.GetUtcNow()).Kind);
        scheduler.SetRobots("http://a.test", RobotsTxt.AllowAll);
    }

    private static SimulatedRun Simulate(int maxPerHost, int pages, Func<int, (TimeSpan Latency, int Status)> server) =>
        Simulate(maxPerHost, pages, (inFlight, _) => server(inFlight), new FakeTimeProvider(), TimeSpan.FromSeconds(10));

    private static SimulatedRun Simulate(int maxPerHost, int pages, Func<int, int, (TimeSpan Latency, int Status)> server) =>
        Simulate(maxPerHost, pages, server, new FakeTimeProvider(), TimeSpan.FromSeconds(10));

    /// <summary>
    /// Crawls a simulated host of <paramref name="pages"/> pages: the first page alone (as a seed is), whose answer
    /// queues the rest (as its links would). <paramref name="server"/> gets the requests in flight at the host
    /// (this one included) and the request's number, and says how long it takes and its status. A request refused
    /// with 429 is queued again, as a retry would send it again.
    /// </summary>
    private static SimulatedRun Simulate(int maxPerHost, int pages, Func<int, int, (TimeSpan Latency, int Status)> server, FakeTimeProvider clock, TimeSpan maxCrawlDelay)
    {
        const string host = "http://a.test";
        var scheduler = new HostScheduler(new CrawlOptions { Max = 100, MaxPerHost = maxPerHost, MaxCrawlDelay = maxCrawlDelay });
        Ready(scheduler, clock, host + "/0");
        var due = new PriorityQueue<(CrawlRequest Request, TimeSpan Latency, int Status), DateTimeOffset>();
        var run = new SimulatedRun();
        var sent = 0;
        var inFlight = 0;
        while (true)
        {
            var next = scheduler.Next(clock.GetUtcNow());
            if (next.Kind == HostScheduler.DecisionKind.Fetch)
            {
                inFlight++;
                var (latency, status) = server(inFlight, sent++);
                due.Enqueue((next.Request!, latency, status), clock.GetUtcNow() + latency);
                run.InFlight.Add((run.Answers, inFlight));
                continue;
            }
            var answering = due.TryPeek(out _, out var at);
            if (!answering && next.Due is null)
            {
                break;
            }
            if (next.Due is { } wait && (!answering || wait < at))
            {
                clock.Advance(wait - clock.GetUtcNow());
                continue;
            }
            clock.Advance(at - clock.GetUtcNow());
            var (request, took, answered) = due.Dequeue();
            inFlight--;
            var throttled = answered is 429 or 503;
            scheduler.Completed(host, took, throttled, clock.GetUtcNow());
            var delay = scheduler.Host(host).Throttle!.Delay;
            run.MaxDelay = delay > run.MaxDelay ? delay : run.MaxDelay;
            if (throttled)
            {
                run.Throttled.Add(run.Answers);
                scheduler.Enqueue(request);
            }
            else if (request.Url.AbsolutePath == "/0")
            {
                for (var page = 1; page < pages; page++)
                {
                    scheduler.Enqueue(new CrawlRequest(new Uri($"{host}/{page}"), 1, host + "/0", "a.test"));
                }
            }
            run.Answers++;
        }
        var throttle = scheduler.Host(host).Throttle!;
        run.Final = new HostPace(throttle.Limit, throttle.Delay, throttle.Backoffs);
        return run;
    }

    private sealed class SimulatedRun
    {
        /// <summary>Answers the crawl got, 429s included.</summary>
        public int Answers { get; set; }

        /// <summary>The answer numbers that were 429s.</summary>
        public List<int> Throttled { get; } = [];

        /// <summary>At each request sent: how many answers had come, and how many requests were then in flight.</summary>
        public List<(int Answers, int InFlight)> InFlight { get; } = [];

        public HostPace Final { get; set; } = new(0, TimeSpan.Zero, 0);

        /// <summary>The longest delay the throttle set at any point.</summary>
        public TimeSpan MaxDelay { get; set; }

        /// <summary>The most requests in flight at once after answer <paramref name="answer"/>.</summary>
        public int MaxInFlightAfter(int answer) => InFlight.Where(p => p.Answers > answer).Select(p => p.InFlight).DefaultIfEmpty(0).Max();
    }
}
