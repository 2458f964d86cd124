using AsyncFetcher.Core.Scheduling;

namespace AsyncFetcher.Core.Tests.Scheduling;

public sealed class RobotsTxtTests
{
    private const string Us = "asyncfetch";

    private static RobotsTxt ForUs(string content) => RobotsTxt.Parse(content, Us);

    private static RobotsTxt Group(params string[] rules) =>
        ForUs("User-agent: *\n" + string.Join("\n", rules));

    // RFC 9309 section 5.1.
    private const string RfcExample = """
        User-Agent: *
        Disallow: *.gif$
        Disallow: /example/
        Allow: /publications/

        User-Agent: foobot
        Disallow:/
        Allow:/example/page.html
        Allow:/example/allowed.gif

        User-Agent: barbot
        User-Agent: bazbot
        Disallow: /example/page.html

        User-Agent: quxbot

        EOF
        """;

    [Theory]
    [InlineData("foobot", "/example/page.html", true)]
    [InlineData("foobot", "/example/allowed.gif", true)]
    [InlineData("foobot", "/example/other.gif", false)]
    [InlineData("foobot", "/", false)]
    [InlineData("barbot", "/example/page.html", false)]
    [InlineData("bazbot", "/example/page.html", false)]
    [InlineData("barbot", "/example/other.html", true)]
    [InlineData("barbot", "/a.gif", true)]
    [InlineData("quxbot", "/example/page.html", true)]
    [InlineData("quxbot", "/a.gif", true)]
    [InlineData("otherbot", "/a.gif", false)]
    [InlineData("otherbot", "/a.gif?x", true)]
    [InlineData("otherbot", "/example/", false)]
    [InlineData("otherbot", "/publications/x", true)]
    [InlineData("otherbot", "/other", true)]
    public void Follows_the_rfc_9309_example_file(string userAgent, string path, bool allowed) =>
        Assert.Equal(allowed, RobotsTxt.Parse(RfcExample, userAgent).IsAllowed(path));

    [Theory]
    [InlineData("/p", "/", "/page", true)]
    [InlineData("/folder", "/folder", "/folder/page", true)]
    [InlineData("/page", "/*.htm", "/page.htm", false)]
    [InlineData("/page", "/*.ph", "/page.php5", true)]
    [InlineData("/$", "/", "/", true)]
    [InlineData("/$", "/", "/page.htm", false)]
    public void Longest_match_wins_and_allow_wins_a_tie(string allow, string disallow, string path, bool allowed)
    {
        // Both orders: precedence must not depend on where a rule appears in the file.
        Assert.Equal(allowed, Group("Allow: " + allow, "Disallow: " + disallow).IsAllowed(path));
        Assert.Equal(allowed, Group("Disallow: " + disallow, "Allow: " + allow).IsAllowed(path));
    }

    [Fact]
    public void Merges_every_group_that_names_us()
    {
        // RFC 9309 section 2.2.1: groups for the same agent are combined.
        var robots = ForUs("""
            user-agent: asyncfetch
            disallow: /foo
            disallow: /bar

            user-agent: otherbot
            disallow: /other

            user-agent: AsyncFetch
            disallow: /baz
            """);

        Assert.False(robots.IsAllowed("/foo"));
        Assert.False(robots.IsAllowed("/bar"));
        Assert.False(robots.IsAllowed("/baz"));
        Assert.True(robots.IsAllowed("/other"));
    }

    [Fact]
    public void Consecutive_user_agent_lines_share_one_group()
    {
        var robots = ForUs("""
            User-agent: otherbot
            User-agent: asyncfetch
            User-agent: thirdbot
            Disallow: /shared
            """);

        Assert.False(robots.IsAllowed("/shared"));
    }

    [Fact]
    public void A_user_agent_line_after_a_rule_starts_a_new_group()
    {
        var robots = ForUs("""
            User-agent: asyncfetch
            Disallow: /ours
            User-agent: otherbot
            Disallow: /theirs
            """);

        Assert.False(robots.IsAllowed("/ours"));
        Assert.True(robots.IsAllowed("/theirs"));
    }

    [Fact]
    public void Uses_the_star_groups_merged_when_no_group_names_us()
    {
        var robots = ForUs("""
            User-agent: otherbot
            Disallow: /

            User-agent: *
            Disallow: /a

            User-agent: *
            Disallow: /b
            """);

        Assert.False(robots.IsAllowed("/a"));
        Assert.False(robots.IsAllowed("/b"));
        Assert.True(robots.IsAllowed("/c"));
    }

    [Fact]
    public void Our_group_replaces_the_star_group_entirely()
    {
        var robots = ForUs("""
            User-agent: *
            Disallow: /

            User-agent: asyncfetch
            Disallow: /private
            """);

        Assert.True(robots.IsAllowed("/public"));
        Assert.False(robots.IsAllowed("/private"));
    }

    [Fact]
    public void Allows_everything_when_no_group_names_us_or_star()
    {
        var robots = ForUs("User-agent: otherbot\nDisallow: /");
        Assert.True(robots.IsAllowed("/anything"));
    }

    [Theory]
    [InlineData("asyncfetch")]
    [InlineData("ASYNCFETCH")]
    [InlineData("AsyncFetch/1.0")]
    [InlineData("asyncfetch/2.3 (+https://example.com/bot)")]
    [InlineData("  asyncfetch  ")]
    public void Matches_our_product_token_case_insensitively(string userAgentLine) =>
        Assert.False(ForUs($"User-agent: {userAgentLine}\nDisallow: /").IsAllowed("/x"));

    [Theory]
    [InlineData("asyncfetcher")]
    [InlineData("asyncfetch2")]
    [InlineData("async")]
    [InlineData("notasyncfetch")]
    public void Does_not_match_other_tokens_that_share_a_prefix(string userAgentLine) =>
        Assert.True(ForUs($"User-agent: {userAgentLine}\nDisallow: /").IsAllowed("/x"));

    [Fact]
    public void Accepts_our_token_with_a_version()
    {
        var robots = RobotsTxt.Parse("User-agent: asyncfetch\nDisallow: /", "asyncfetch/0.1.0");
        Assert.False(robots.IsAllowed("/x"));
    }

    [Theory]
    [InlineData("/fish", "/fish", true)]
    [InlineData("/fish", "/fish.html", true)]
    [InlineData("/fish", "/fish/salmon.html", true)]
    [InlineData("/fish", "/fishheads?id=anything", true)]
    [InlineData("/fish", "/Fish.asp", false)]
    [InlineData("/fish", "/catfish", false)]
    [InlineData("/fish*", "/fishheads", true)]
    [InlineData("/fish/", "/fish", false)]
    [InlineData("/*.php", "/folder/filename.php?parameters", true)]
    [InlineData("/*.php", "/windows.PHP", false)]
    [InlineData("/*.php$", "/filename.php", true)]
    [InlineData("/*.php$", "/filename.php?parameters", false)]
    [InlineData("/*.php$", "/filename.php5", false)]
    [InlineData("/fish*.php", "/fish.php", true)]
    [InlineData("/fish*.php", "/fishheads/catfish.php?parameters", true)]
    [InlineData("/fish*.php", "/Fish.PHP", false)]
    [InlineData("/a*b*c", "/a-b-c", true)]
    [InlineData("/a*b*c", "/a-c-b", false)]
    [InlineData("/a*b*c$", "/abcbc", true)]
    [InlineData("/a*b*c$", "/abcb", false)]
    [InlineData("/a*bc$", "/abc", true)]
    [InlineData("/a*b$c", "/ab$c-and-more", true)]
    [InlineData("*", "/anything", true)]
    [InlineData("*.gif$", "/x/y.gif", true)]
    [InlineData("/$", "/", true)]
    [InlineData("/$", "/a", false)]
    [InlineData("/a**b", "/a-b", true)]
    public void Matches_patterns_case_sensitively_with_wildcards_and_end_anchors(string pattern, string path, bool matches) =>
        Assert.Equal(!matches, Group("Disallow: " + pattern).IsAllowed(path));

    [Theory]
    [InlineData("/%7Efoo", "/~foo")]
    [InlineData("/~foo", "/%7Efoo")]
    [InlineData("/%7efoo", "/%7Efoo")]
    [InlineData("/foo/bar/ツ", "/foo/bar/%E3%83%84")]
    [InlineData("/foo/bar/%e3%83%84", "/foo/bar/%E3%83%84")]
    [InlineData("/foo/bar/%62%61%7A", "/foo/bar/baz")]
    [InlineData("/a%2fb", "/a%2Fb")]
    [InlineData("/a b", "/a%20b")]
    public void Compares_patterns_and_paths_in_one_percent_encoded_form(string pattern, string path) =>
        Assert.False(Group("Disallow: " + pattern).IsAllowed(path));

    [Fact]
    public void Does_not_decode_reserved_characters()
    {
        var robots = Group("Disallow: /a%2Fb");
        Assert.True(robots.IsAllowed("/a/b"));
        Assert.False(robots.IsAllowed("/a%2fb"));
    }

    [Fact]
    public void Counts_specificity_after_normalisation()
    {
        // "/%7Ea" is "/~a" (three octets), so the four-octet Allow is more specific.
        var robots = Group("Disallow: /%7Ea", "Allow: /~ab");
        Assert.True(robots.IsAllowed("/~abc"));
        Assert.False(robots.IsAllowed("/~a"));
    }

    [Fact]
    public void An_empty_disallow_disallows_nothing()
    {
        var robots = Group("Disallow:");
        Assert.True(robots.IsAllowed("/"));
        Assert.True(robots.IsAllowed("/anything"));
        Assert.Empty(robots.Rules);
    }

    [Fact]
    public void Robots_txt_itself_is_always_allowed()
    {
        var robots = Group("Disallow: /");
        Assert.True(robots.IsAllowed("/robots.txt"));
        Assert.True(RobotsTxt.DisallowAll.IsAllowed("/robots.txt"));
        Assert.False(robots.IsAllowed("/robots.txt.bak"));
    }

    [Fact]
    public void Reads_keys_case_insensitively_and_ignores_comments_blank_lines_and_whitespace()
    {
        var robots = ForUs(
            "# a comment\r\n\r\n   USER-AGENT   :   AsyncFetch   # us\r\n" +
            "\tdIsAlLoW\t:\t/private   # keep out\r\n" +
            "ALLOW:/private/open\r\n");

        Assert.False(robots.IsAllowed("/private/x"));
        Assert.True(robots.IsAllowed("/private/open/x"));
        Assert.True(robots.IsAllowed("/public"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Accepts_every_line_ending(string newline)
    {
        var robots = ForUs(string.Join(newline, "User-agent: asyncfetch", "Disallow: /a", "Disallow: /b"));
        Assert.False(robots.IsAllowed("/a"));
        Assert.False(robots.IsAllowed("/b"));
    }

    [Fact]
    public void Skips_a_leading_byte_order_mark()
    {
        var robots = ForUs("\uFEFFUser-agent: asyncfetch\nDisallow: /");
        Assert.False(robots.IsAllowed("/x"));
    }

    [Fact]
    public void Ignores_unknown_lines_lines_without_a_colon_and_rules_outside_any_group()
    {
        var robots = ForUs("""
            Disallow: /before-any-group
            Noindex: /x
            Disallow /no-colon
            just some text
            User-agent: asyncfetch
            Host: example.com
            Disallow: /y
            """);

        Assert.True(robots.IsAllowed("/before-any-group"));
        Assert.True(robots.IsAllowed("/x"));
        Assert.True(robots.IsAllowed("/no-colon"));
        Assert.False(robots.IsAllowed("/y"));
    }

    [Fact]
    public void Survives_garbage()
    {
        var robots = ForUs("<html><body>Not found</body></html>\0\u0001::::\n:\n#\n*:*\nuser-agent:\ndisallow\n\uFFFF");
        Assert.True(robots.IsAllowed("/x"));
        Assert.Null(robots.CrawlDelay);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n  ")]
    [InlineData("# only a comment")]
    public void An_empty_file_allows_everything(string content)
    {
        var robots = ForUs(content);
        Assert.True(robots.IsAllowed("/"));
        Assert.True(robots.IsAllowed("/anything?x=1"));
        Assert.Empty(robots.Sitemaps);
    }

    [Fact]
    public void Treats_an_empty_path_as_the_root()
    {
        Assert.False(Group("Disallow: /$").IsAllowed(""));
    }

    [Fact]
    public void Matches_the_query_as_part_of_the_path()
    {
        var robots = Group("Disallow: /*?sessionid=", "Disallow: /search?");
        Assert.False(robots.IsAllowed("/page?sessionid=1"));
        Assert.False(robots.IsAllowed("/search?q=x"));
        Assert.True(robots.IsAllowed("/search"));
        Assert.True(robots.IsAllowed("/page?x=1"));
    }

    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("0.5", 500)]
    [InlineData(" 2.25 ", 2_250)]
    [InlineData("0", 0)]
    public void Reads_the_crawl_delay_of_our_group_in_seconds(string value, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ForUs($"User-agent: asyncfetch\nCrawl-delay: {value}").CrawlDelay);

    [Theory]
    [InlineData("-1")]
    [InlineData("soon")]
    [InlineData("1e3")]
    [InlineData("1,5")]
    [InlineData("")]
    [InlineData("NaN")]
    public void Ignores_a_crawl_delay_that_is_not_a_non_negative_number(string value) =>
        Assert.Null(ForUs($"User-agent: asyncfetch\nCrawl-delay: {value}").CrawlDelay);

    [Fact]
    public void Keeps_an_absurd_crawl_delay_as_the_longest_representable() =>
        Assert.Equal(TimeSpan.MaxValue, ForUs("User-agent: *\nCrawl-delay: 99999999999999999999999").CrawlDelay);

    [Fact]
    public void Takes_the_crawl_delay_only_from_the_chosen_group()
    {
        const string content = """
            User-agent: *
            Crawl-delay: 5

            User-agent: asyncfetch
            Disallow: /x
            """;

        Assert.Null(ForUs(content).CrawlDelay);
        Assert.Equal(TimeSpan.FromSeconds(5), RobotsTxt.Parse(content, "otherbot").CrawlDelay);
    }

    [Fact]
    public void Takes_the_longest_crawl_delay_of_merged_groups()
    {
        var robots = ForUs("""
            User-agent: asyncfetch
            Crawl-delay: 2

            User-agent: asyncfetch
            Crawl-delay: 7
            """);

        Assert.Equal(TimeSpan.FromSeconds(7), robots.CrawlDelay);
    }

    [Fact]
    public void A_crawl_delay_line_ends_the_user_agent_lines_of_its_group()
    {
        var robots = ForUs("""
            User-agent: otherbot
            Crawl-delay: 9
            User-agent: asyncfetch
            Disallow: /x
            """);

        Assert.Null(robots.CrawlDelay);
        Assert.False(robots.IsAllowed("/x"));
    }

    [Fact]
    public void Collects_sitemaps_from_anywhere_in_the_file_once_each()
    {
        var robots = ForUs("""
            Sitemap: https://example.com/sitemap.xml
            User-agent: otherbot
            Sitemap: https://example.com/news.xml
            Disallow: /
            sitemap:https://example.com/sitemap.xml
            SITEMAP:
            """);

        Assert.Equal(["https://example.com/sitemap.xml", "https://example.com/news.xml"], robots.Sitemaps);
    }

    [Fact]
    public void A_sitemap_line_does_not_split_a_group()
    {
        var robots = ForUs("""
            User-agent: otherbot
            Sitemap: https://example.com/sitemap.xml
            User-agent: asyncfetch
            Disallow: /x
            """);

        Assert.False(robots.IsAllowed("/x"));
    }

    [Fact]
    public void Allow_all_and_disallow_all_behave_as_named()
    {
        Assert.True(RobotsTxt.AllowAll.IsAllowed("/anything"));
        Assert.False(RobotsTxt.DisallowAll.IsAllowed("/"));
        Assert.False(RobotsTxt.DisallowAll.IsAllowed("/anything?x=1"));
        Assert.Null(RobotsTxt.AllowAll.CrawlDelay);
        Assert.Empty(RobotsTxt.DisallowAll.Sitemaps);
    }

    [Fact]
    public void Parses_500_KiB_and_ignores_the_rest()
    {
        // The first two rules end exactly at the limit; the next line starts past it.
        const string head = "User-agent: asyncfetch\nDisallow: /first\n#";
        const string inside = "\nDisallow: /inside\n";
        string padding = new('x', RobotsTxt.MaxParsedBytes - head.Length - inside.Length);
        var robots = ForUs(head + padding + inside + "Disallow: /outside\n");

        Assert.False(robots.IsAllowed("/first"));
        Assert.False(robots.IsAllowed("/inside"));
        Assert.True(robots.IsAllowed("/outside"));
    }

    [Fact]
    public void Drops_the_line_the_size_limit_cuts_so_a_shortened_rule_is_not_obeyed()
    {
        // Without dropping it, "Disallow: /private-area" cut after the slash would disallow everything.
        string prefix = "User-agent: asyncfetch\n";
        string padding = new('#', RobotsTxt.MaxParsedBytes - prefix.Length - "\nDisallow: /".Length);
        var robots = ForUs(prefix + padding + "\nDisallow: /private-area\n");

        Assert.True(robots.IsAllowed("/public"));
    }

    [Fact]
    public void Counts_the_limit_in_utf8_bytes()
    {
        // 200,000 three-byte chars are 600,000 bytes: a rule after them is beyond the limit.
        string content = "User-agent: asyncfetch\n#" + new string('€', 200_000) + "\nDisallow: /late\n";
        Assert.True(ForUs(content).IsAllowed("/late"));
    }

    [Fact]
    public void Matches_hostile_patterns_in_linear_time()
    {
        // A backtracking matcher takes exponential time on this; the greedy one scans the path a few times.
        string pattern = "/" + string.Concat(Enumerable.Repeat("a*", 50)) + "b";
        string path = "/" + new string('a', 5000);
        var robots = Group("Disallow: " + pattern);

        Assert.True(robots.IsAllowed(path));
        Assert.False(robots.IsAllowed(path + "b"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("*")]
    [InlineData(" /1.0")]
    public void Rejects_a_user_agent_token_that_names_no_crawler(string token) =>
        Assert.Throws<ArgumentException>(() => RobotsTxt.Parse("", token));
}
