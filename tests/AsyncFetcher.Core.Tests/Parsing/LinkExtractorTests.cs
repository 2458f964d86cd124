using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Tests.Parsing;

public sealed class LinkExtractorTests
{
    private static readonly Uri Page = new("http://example.test/dir/page.html");

    private static PageLinks Extract(string html, bool followNofollow = false) =>
        new LinkExtractor(followNofollow, sortQuery: false, maxUrlLength: 2048).Extract(html, Page);

    private static string[] Paths(PageLinks links) => [.. links.Links.Select(u => u.PathAndQuery)];

    [Fact]
    public void Finds_anchors_areas_and_next_prev_links_in_document_order()
    {
        var links = Extract("<a href=\"a\">a</a><map><area href=\"/b\"></map><link rel=\"next\" href=\"c\"><link rel=\"stylesheet\" href=\"s.css\"><link rel=\"prev\" href=\"d\">");

        Assert.Equal(["/dir/a", "/b", "/dir/c", "/dir/d"], Paths(links));
        Assert.Equal(4, links.LinksFound);
    }

    [Fact]
    public void Markup_inside_script_style_and_title_is_not_a_link()
    {
        var links = Extract("<title>A &amp; <a href=/t>B</title><script>var x = '<a href=\"/js\">';</script><style>a[href=\"/css\"]{}</style><textarea><a href=/ta></textarea><a href=\"/real\">r</a>");

        Assert.Equal(["/real"], Paths(links));
        Assert.Equal("A & <a href=/t>B", links.Title);
    }

    [Fact]
    public void Title_is_trimmed_and_whitespace_collapsed()
    {
        Assert.Equal("Hello world", Extract("<title>\n  Hello\n   world </title>").Title);
        Assert.Null(Extract("<p>no title</p>").Title);
    }

    [Fact]
    public void Base_href_changes_how_relative_links_resolve()
    {
        var links = Extract("<head><base href=\"/other/\"></head><a href=\"x\">x</a>");

        Assert.Equal(["/other/x"], Paths(links));
    }

    [Fact]
    public void Meta_robots_nofollow_drops_every_link_and_noindex_is_reported()
    {
        var links = Extract("<meta name=\"ROBOTS\" content=\"noindex,nofollow\"><a href=\"a\">a</a>");

        Assert.Empty(links.Links);
        Assert.True(links.NoFollow);
        Assert.True(links.NoIndex);
        Assert.Equal(1, links.LinksFound);
    }

    [Fact]
    public void Rel_nofollow_is_skipped_unless_asked_for()
    {
        const string html = "<a rel=\"external nofollow\" href=\"n\">n</a><a href=\"f\">f</a>";

        Assert.Equal(["/dir/f"], Paths(Extract(html)));
        Assert.Equal(["/dir/n", "/dir/f"], Paths(Extract(html, followNofollow: true)));
    }

    [Fact]
    public void Unfollowable_hrefs_are_dropped()
    {
        var links = Extract("<a href=\"mailto:x@y\">m</a><a href=\"javascript:void(0)\">j</a><a href=\"#top\">t</a><a href=\"\">e</a><a>no href</a><a href=\" /ok \">ok</a>");

        Assert.Equal(["/ok"], Paths(links));
    }
}
