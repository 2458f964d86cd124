using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Tests.Parsing;

public sealed class UrlNormalizerTests
{
    private const int MaxLength = 2048;
    private static readonly Uri Base = new("http://example.com/dir/page.html?q=1");

    private static string Normalize(string href, bool sortQuery = false, Uri? baseUri = null)
    {
        Assert.True(UrlNormalizer.TryNormalize(href, baseUri ?? Base, sortQuery, MaxLength, out Uri? result), $"'{href}' was rejected");
        return UrlNormalizer.Key(result);
    }

    private static bool Accepts(string href) => UrlNormalizer.TryNormalize(href, Base, sortQuery: false, MaxLength, out _);

    [Theory]
    [InlineData("HTTP://Example.COM/a", "http://example.com/a")]
    [InlineData("HTTPS://EXAMPLE.com", "https://example.com/")]
    [InlineData("http://example.com/A/B", "http://example.com/A/B")]
    public void Lower_cases_scheme_and_host_but_not_path(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("http://example.com:80/", "http://example.com/")]
    [InlineData("https://example.com:443/x", "https://example.com/x")]
    [InlineData("http://example.com:0080/", "http://example.com/")]
    [InlineData("http://example.com:443/", "http://example.com:443/")]
    [InlineData("https://example.com:80/", "https://example.com:80/")]
    [InlineData("http://example.com:8080/", "http://example.com:8080/")]
    public void Drops_only_the_default_port_of_the_scheme(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("/a/./b/../c", "http://example.com/a/c")]
    [InlineData("/a/b/../../../../c", "http://example.com/c")]
    [InlineData("/a/%2E%2E/b", "http://example.com/b")]
    [InlineData("/a/.%2e/b", "http://example.com/b")]
    [InlineData("../up", "http://example.com/up")]
    [InlineData("./here", "http://example.com/dir/here")]
    public void Resolves_dot_segments_including_encoded_ones(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("http://example.com")]
    [InlineData("http://example.com?x=1")]
    public void Empty_path_becomes_slash(string href) =>
        Assert.StartsWith("http://example.com/", Normalize(href), StringComparison.Ordinal);

    [Theory]
    [InlineData("/%7efoo")]
    [InlineData("/%7Efoo")]
    [InlineData("/~foo")]
    public void Tilde_and_its_escapes_give_one_key(string href) =>
        Assert.Equal("http://example.com/~foo", Normalize(href));

    [Theory]
    [InlineData("/%41%62%2D%5f%30", "http://example.com/Ab-_0")]
    [InlineData("/a?b=%7e&c=%41", "http://example.com/a?b=~&c=A")]
    public void Decodes_escaped_unreserved_characters_in_path_and_query(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("/a%2fb", "http://example.com/a%2Fb")]
    [InlineData("/a%2Fb", "http://example.com/a%2Fb")]
    [InlineData("/a?x=%2f%3d%26", "http://example.com/a?x=%2F%3D%26")]
    [InlineData("/%e3%83%84", "http://example.com/%E3%83%84")]
    [InlineData("/a%7cb", "http://example.com/a%7Cb")]
    public void Keeps_reserved_escapes_encoded_with_upper_case_hex(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("/a b", "http://example.com/a%20b")]
    [InlineData("/été", "http://example.com/%C3%A9t%C3%A9")]
    [InlineData("/100%", "http://example.com/100%25")]
    [InlineData("/a|b", "http://example.com/a%7Cb")]
    public void Escapes_characters_that_may_not_appear_raw(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("  /x  ")]
    [InlineData("\t\r\n/x\n")]
    [InlineData("\u0000\u001f /x\u0007")]
    [InlineData("/\nx")]
    [InlineData("/\tx\r")]
    public void Strips_surrounding_whitespace_and_controls_and_inner_tabs_and_newlines(string href) =>
        Assert.Equal("http://example.com/x", Normalize(href));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    [InlineData("#")]
    [InlineData("#frag")]
    [InlineData("  #top ")]
    public void Rejects_empty_and_fragment_only_hrefs(string href) => Assert.False(Accepts(href));

    [Theory]
    [InlineData("mailto:someone@example.com")]
    [InlineData("javascript:void(0)")]
    [InlineData("JavaScript:alert(1)")]
    [InlineData("tel:+15551234")]
    [InlineData("data:text/plain,hi")]
    [InlineData("ftp://example.com/file")]
    [InlineData("file:///etc/passwd")]
    [InlineData("urn:isbn:0451450523")]
    public void Rejects_schemes_other_than_http_and_https(string href) => Assert.False(Accepts(href));

    [Theory]
    [InlineData("http://")]
    [InlineData("http://exa mple.com/")]
    [InlineData("http://[::1/")]
    [InlineData("http://example.com:99999/")]
    public void Rejects_unparseable_urls(string href) => Assert.False(Accepts(href));

    [Theory]
    [InlineData("other.html", "http://example.com/dir/other.html")]
    [InlineData("sub/x", "http://example.com/dir/sub/x")]
    [InlineData("/root", "http://example.com/root")]
    [InlineData("?p=2", "http://example.com/dir/page.html?p=2")]
    [InlineData("page.html#section", "http://example.com/dir/page.html")]
    public void Resolves_relative_hrefs_against_the_base_path(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Fact]
    public void Resolves_scheme_relative_hrefs_with_the_base_scheme()
    {
        Assert.Equal("http://other.host/x", Normalize("//other.host/x"));
        Assert.Equal("https://other.host/x", Normalize("//Other.Host/x", baseUri: new Uri("https://example.com/")));
    }

    [Theory]
    [InlineData(@"\\other.host\x", "http://other.host/x")]
    [InlineData(@"/\other.host/x", "http://other.host/x")]
    [InlineData(@"\a\b", "http://example.com/a/b")]
    [InlineData(@"/a?x=\", "http://example.com/a?x=%5C")]
    public void Treats_backslashes_before_the_query_as_slashes_like_browsers(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("http://example.com/a#frag", "http://example.com/a")]
    [InlineData("http://example.com/a?x=1#frag", "http://example.com/a?x=1")]
    [InlineData("http://example.com/a?#frag", "http://example.com/a")]
    public void Drops_the_fragment(string href, string expected) => Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("/a?", "http://example.com/a")]
    [InlineData("?", "http://example.com/dir/page.html")]
    public void Drops_an_empty_query(string href, string expected) => Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("/s?b=2&a=1&a=0", "http://example.com/s?b=2&a=1&a=0")]
    [InlineData("/s?q=a+b&x=%20", "http://example.com/s?q=a+b&x=%20")]
    [InlineData("/s?a&&b", "http://example.com/s?a&&b")]
    public void Keeps_the_query_as_given_when_not_sorting(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("/s?b=2&a=1&c=3", "http://example.com/s?a=1&b=2&c=3")]
    [InlineData("/s?b=2&a=1&a=0", "http://example.com/s?a=1&a=0&b=2")]
    [InlineData("/s?z&y=1&x", "http://example.com/s?x&y=1&z")]
    [InlineData("/s?b=1&&a=2&", "http://example.com/s?a=2&b=1")]
    [InlineData("/s?&&", "http://example.com/s")]
    [InlineData("/s?a=1&b=2", "http://example.com/s?a=1&b=2")]
    [InlineData("/s?B=1&a=2", "http://example.com/s?B=1&a=2")]
    public void Sorts_query_pairs_by_key_stably_dropping_empty_pairs_when_asked(string href, string expected) =>
        Assert.Equal(expected, Normalize(href, sortQuery: true));

    [Fact]
    public void Sorting_compares_keys_after_percent_normalisation() =>
        Assert.Equal(Normalize("/s?%7Ea=1&b=2", sortQuery: true), Normalize("/s?b=2&~a=1", sortQuery: true));

    [Theory]
    [InlineData("http://bücher.de/", "http://xn--bcher-kva.de/")]
    [InlineData("http://MÜNCHEN.de/a", "http://xn--mnchen-3ya.de/a")]
    [InlineData("http://user@bücher.de:8080/x?y#z", "http://user@xn--bcher-kva.de:8080/x?y")]
    [InlineData("http://xn--bcher-kva.de/", "http://xn--bcher-kva.de/")]
    public void Converts_international_host_names_to_punycode(string href, string expected) =>
        Assert.Equal(expected, Normalize(href));

    [Theory]
    [InlineData("http://[::1]:80/x", "http://[::1]/x")]
    [InlineData("http://[2001:DB8::1]/", "http://[2001:db8::1]/")]
    [InlineData("http://127.0.0.1:80/", "http://127.0.0.1/")]
    public void Keeps_ip_literal_hosts(string href, string expected) => Assert.Equal(expected, Normalize(href));

    [Fact]
    public void Rejects_urls_longer_than_max_length_after_normalisation()
    {
        string url = "http://example.com/" + new string('a', 20); // 39 chars
        Assert.True(UrlNormalizer.TryNormalize(url, Base, sortQuery: false, maxLength: 39, out _));
        Assert.False(UrlNormalizer.TryNormalize(url, Base, sortQuery: false, maxLength: 38, out _));

        // The limit applies to the normalised form, which here is shorter than the href.
        string longHref = "http://example.com/x/../" + new string('a', 20) + "#" + new string('f', 100);
        Assert.True(UrlNormalizer.TryNormalize(longHref, Base, sortQuery: false, maxLength: 39, out _));
    }

    [Fact]
    public void Returns_a_uri_whose_key_is_its_absolute_uri()
    {
        Assert.True(UrlNormalizer.TryNormalize("/a%2fb?#x", Base, sortQuery: false, MaxLength, out Uri? result));
        Assert.Equal("http://example.com/a%2Fb", result.AbsoluteUri);
        Assert.Equal(result.AbsoluteUri, UrlNormalizer.Key(result));
        Assert.Equal("/a%2Fb", result.PathAndQuery);
    }

    [Theory]
    [InlineData("HTTP://Example.COM:80/a/./b/../c?%7e=1&%2f=2#f")]
    [InlineData("http://bücher.de/é?b=1&a=%7c")]
    [InlineData("/a b/%zz/%e3%83%84?q=%2e")]
    [InlineData(@"\\h\x?z=1&y")]
    [InlineData("http://user:p%41ss@example.com/")]
    [InlineData("/s?b&&a=1&")]
    public void Normalising_a_key_again_gives_the_same_key(string href)
    {
        foreach (bool sort in new[] { false, true })
        {
            string key = Normalize(href, sort);
            Assert.Equal(key, Normalize(key, sort));
            Assert.True(UrlNormalizer.TryNormalize(key, sort, MaxLength, out Uri? seed));
            Assert.Equal(key, UrlNormalizer.Key(seed));
        }
    }

    [Theory]
    [InlineData("  HTTP://Example.COM:80  ", "http://example.com/")]
    [InlineData("https://example.com/a?b=2&a=1#x", "https://example.com/a?b=2&a=1")]
    public void Normalises_absolute_seed_urls(string seed, string expected)
    {
        Assert.True(UrlNormalizer.TryNormalize(seed, sortQuery: false, MaxLength, out Uri? result));
        Assert.Equal(expected, UrlNormalizer.Key(result));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("/just/a/path")]
    [InlineData("")]
    [InlineData("#x")]
    [InlineData("ftp://example.com/")]
    [InlineData("mailto:a@example.com")]
    public void Rejects_seeds_that_are_not_absolute_http_urls(string seed) =>
        Assert.False(UrlNormalizer.TryNormalize(seed, sortQuery: false, MaxLength, out _));

    [Fact]
    public void Returns_the_resolved_uri_itself_when_it_is_already_normal()
    {
        // The common case allocates nothing beyond the Uri; an absolute href comes back as parsed.
        Assert.True(UrlNormalizer.TryNormalize("http://example.com/a?b=1", Base, sortQuery: true, MaxLength, out Uri? result));
        Assert.Equal("http://example.com/a?b=1", result.OriginalString);
    }

    [Fact]
    public void Rejects_a_relative_base_and_a_non_positive_max_length()
    {
        Assert.Throws<ArgumentException>(() => UrlNormalizer.TryNormalize("/x", new Uri("/rel", UriKind.Relative), false, MaxLength, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => UrlNormalizer.TryNormalize("/x", Base, false, 0, out _));
    }

    private static readonly string[] CacheHrefs =
    [
        "a.html", "a.html#x", "a.html#y", " a.html #z", "a.html?", "a.html?#f", "a.html?q=1#f", "a.html?q=1", "#only", "",
        "../up/b.html#s", "../up/b.html", "/%7Efoo#x", "/~foo", "HTTP://Example.COM:80/c#d", "http://example.com/c",
        "mailto:a@b#c", "a\\b.html#q", "a\tb.html#r", "//other.test/x#y", "?x=1#y", "x.html#a#b", "x.html##",
        "http://b\u00fccher.example/#x", "/" + new string('p', MaxLength) + "#long", "a/..#x", "a/.#x", "a%#x", "a%2#x",
        "a\u00a0#x", "a\u00a0", "a\u200e#x", "a\u3000#x", "http:#x", "http:", "x:#y", "a.html\f#x", "\u00e9t\u00e9#x", "\u00e9t\u00e9",
        "http:other.html", "http:/abs.html", "https:x", "HTTP://other.test", "?", "?y", ".", "..", "./", "../", "//", "///x",
        ";p", "a:b/c", "javascript:void(0)", "\\\\host\\x", "/..", "https://h/../x?b=2&a=1#f",
    ];

    [Fact]
    public void A_page_cache_gives_what_normalising_each_href_gives()
    {
        foreach (var sortQuery in new[] { false, true })
        {
            var resolved = new HrefCache().For(Base);
            foreach (var href in CacheHrefs.Concat(CacheHrefs))
            {
                var expected = UrlNormalizer.TryNormalize(href, Base, sortQuery, MaxLength, out Uri? plain);
                var cached = UrlNormalizer.TryNormalize(href, Base, sortQuery, MaxLength, resolved, out Uri? fromCache);

                Assert.Equal(expected, cached);
                Assert.Equal(plain?.AbsoluteUri, fromCache?.AbsoluteUri);
            }
        }
    }

    [Fact]
    public void The_cache_shared_by_the_pages_of_a_directory_gives_what_each_page_gives()
    {
        // Bases that differ after their directory, and the directory itself, its parent and another host.
        Uri[] pages =
        [
            new("http://example.com/dir/page.html"), new("http://example.com/dir/other.html?q=1"), new("http://example.com/dir/"),
            new("http://example.com/dir/x;p?a=b"), new("http://example.com/"), new("https://example.com/dir/page.html"),
            new("http://user@example.com/dir/page.html"), new("http://example.com:8080/dir/page.html"),
        ];
        foreach (var sortQuery in new[] { false, true })
        {
            var cache = new HrefCache();
            foreach (var page in pages.Concat(pages.Reverse()))
            {
                var resolved = cache.For(page);
                foreach (var href in CacheHrefs)
                {
                    var expected = UrlNormalizer.TryNormalize(href, page, sortQuery, MaxLength, out Uri? plain);
                    var cached = UrlNormalizer.TryNormalize(href, page, sortQuery, MaxLength, resolved, out Uri? fromCache);

                    Assert.True(expected == cached, $"{href} on {page}");
                    Assert.Equal(plain?.AbsoluteUri, fromCache?.AbsoluteUri);
                }
            }
        }
    }

    [Fact]
    public void The_cache_starts_over_past_its_capacity_and_still_resolves()
    {
        var cache = new HrefCache();
        var first = cache.For(Base);
        for (var i = 0; i <= HrefCache.Capacity; i++)
        {
            Assert.True(UrlNormalizer.TryNormalize($"p{i}.html", Base, false, MaxLength, first, out _));
        }

        var after = cache.For(Base);
        Assert.NotSame(first, after);
        Assert.True(UrlNormalizer.TryNormalize("p1.html", Base, false, MaxLength, after, out var again));
        Assert.Equal(new Uri(Base, "p1.html").AbsoluteUri, again.AbsoluteUri);
    }

    [Fact]
    public void Directories_count_against_the_capacity_even_with_no_hrefs_kept()
    {
        var cache = new HrefCache();
        var first = cache.For(new Uri("http://example.com/d0/page.html"));
        for (var i = 1; i <= HrefCache.Capacity; i++)
        {
            cache.For(new Uri($"http://example.com/d{i}/page.html"));
        }

        Assert.Same(cache.For(Base), cache.For(new Uri("http://example.com/dir/other.html")));
        Assert.NotSame(first, cache.For(new Uri("http://example.com/d0/page.html")));
    }
}
