using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Tests.Scheduling;

public sealed class MemoryFrontierTests
{
    [Fact]
    public async Task Hosts_take_turns_and_each_host_is_taken_oldest_first()
    {
        var frontier = new MemoryFrontier();
        foreach (var url in new[] { "http://a.test/1", "http://a.test/2", "http://a.test/3", "http://b.test/1", "http://a.test/4", "http://c.test/1", "http://b.test/2" })
        {
            await frontier.AddAsync(Request(url), CancellationToken.None);
        }

        Assert.Equal(["http://a.test/1", "http://b.test/1", "http://c.test/1", "http://a.test/2"], await TakeAsync(frontier, 4));
        // A host that ran out and gets a URL again joins the turns last; a released URL goes behind its host's others.
        await frontier.AddAsync(Request("http://c.test/2"), CancellationToken.None);
        await frontier.ReleaseAsync(Request("http://a.test/1"), CancellationToken.None);
        Assert.Equal(["http://b.test/2", "http://a.test/3", "http://c.test/2"], await TakeAsync(frontier, 3));
        // Which hosts still have URLs waiting: their connections are kept for them.
        Assert.True(frontier.Holds("http://a.test"));
        Assert.False(frontier.Holds("http://b.test"));
        Assert.Equal(["http://a.test/4", "http://a.test/1"], await TakeAsync(frontier, 10));
        Assert.False(frontier.Holds("http://a.test"));
        Assert.Empty(await TakeAsync(frontier, 10));
    }

    [Fact]
    public async Task A_url_is_queued_once_however_often_it_is_found()
    {
        var frontier = new MemoryFrontier();

        Assert.True(await frontier.AddAsync(Request("http://a.test/1"), CancellationToken.None));
        Assert.False(await frontier.AddAsync(Request("http://a.test/1"), CancellationToken.None));
        Assert.False(await frontier.MarkSeenAsync(Request("http://a.test/1"), CancellationToken.None));

        Assert.Equal(["http://a.test/1"], await TakeAsync(frontier, 10));
    }

    private static CrawlRequest Request(string url) => new(new Uri(url), 0, null, new Uri(url).Host);

    private static async Task<List<string>> TakeAsync(MemoryFrontier frontier, int max) =>
        [.. (await frontier.TakeAsync(max, CancellationToken.None)).Select(r => r.Url.AbsoluteUri)];
}
