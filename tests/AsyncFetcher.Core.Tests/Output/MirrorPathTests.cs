using System.Text;
using AsyncFetcher.Core.Output;

namespace AsyncFetcher.Core.Tests.Output;

public sealed class MirrorPathTests
{
    [Theory]
    [InlineData("http://example.org/", true, "example.org/index.html")]
    [InlineData("http://example.org/", false, "example.org/index.html")]
    [InlineData("https://Example.ORG:8443/a/b.css", false, "example.org_8443/a/b.css")]
    [InlineData("http://example.org/docs/", true, "example.org/docs/index.html")]
    [InlineData("http://example.org/docs", true, "example.org/docs.html")]
    [InlineData("http://example.org/docs/intro.html", true, "example.org/docs/intro.html")]
    [InlineData("http://example.org/page.php", true, "example.org/page.php.html")]
    [InlineData("http://example.org/data.json", false, "example.org/data.json")]
    [InlineData("http://example.org/search?q=a/b&page=2", true, "example.org/search%3Fq=a%2Fb&page=2.html")]
    [InlineData("http://example.org/dir/?p=2", true, "example.org/dir/index%3Fp=2.html")]
    [InlineData("http://example.org/caf%C3%A9/men%C3%BC", false, "example.org/café/menü")]
    [InlineData("http://example.org/a%2Fb", false, "example.org/a%2Fb")]
    [InlineData("http://example.org/100%25", false, "example.org/100%25")]
    [InlineData("http://example.org/CON", false, "example.org/%43ON")]
    [InlineData("http://example.org/con.txt", false, "example.org/%63on.txt")]
    [InlineData("http://example.org/a./b", false, "example.org/a%2E/b")]
    [InlineData("http://example.org/a//b", false, "example.org/a/%/b")]
    [InlineData("http://[::1]:8080/x", false, "%3A%3A1_8080/x")]
    public void Urls_map_to_a_mirror_layout(string url, bool isHtml, string expected)
    {
        Assert.Equal(expected, string.Join('/', MirrorPath.For(new Uri(url), isHtml)));
    }

    public static TheoryData<string> Hostile =>
    [
        "http://h/../../../../etc/passwd",
        "http://h/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://h/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "http://h/..%2f..%2f..%2fetc%2fpasswd",
        "http://h/..%5c..%5c..%5cwindows%5csystem32",
        "http://h/a%5c..%5c..%5cb",
        "http://h/%2F%2Fetc%2Fpasswd",
        "http://h//etc/passwd",
        "http://h/C:/Windows/win.ini",
        "http://h/C%3A%5CWindows",
        "http://h/%00",
        "http://h/a%00b/c%00",
        "http://h/%0d%0a",
        "http://h/.",
        "http://h/./",
        "http://h/%2e",
        "http://h/%2e%2e",
        "http://h/%2e%2e/",
        "http://h/.../....",
        "http://h/a/...?x=../../y",
        "http://h/?../../../../etc/passwd",
        "http://h/x?a=%2F..%2F..%2F&b=\\..\\",
        "http://h/NUL",
        "http://h/aux.html",
        "http://h/COM1/LPT9.txt",
        "http://h/trailing%20",
        "http://h/%20",
        "http://h/" + new string('a', 5000),
        "http://h/" + string.Concat(Enumerable.Repeat("%C3%A9", 400)),
        "http://h/" + string.Concat(Enumerable.Repeat("%F0%9F%98%80", 300)),
        "http://h/" + string.Concat(Enumerable.Repeat("%25", 300)),
        "http://h/" + string.Join('/', Enumerable.Repeat(new string('d', 190), 40)),
        "http://h/%ff%fe%80",
        "http://xn--caf-dma.example/%E2%80%AE%E2%80%8B",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void No_url_however_crafted_yields_a_segment_that_leaves_the_directory(string url)
    {
        var root = Path.Combine(Path.GetTempPath(), "mirror-root");
        foreach (var isHtml in new[] { false, true })
        {
            var segments = MirrorPath.For(new Uri(url), isHtml);

            Assert.All(segments, segment =>
            {
                Assert.NotEmpty(segment);
                Assert.NotEqual(".", segment);
                Assert.NotEqual("..", segment);
                Assert.DoesNotContain('/', segment);
                Assert.DoesNotContain('\\', segment);
                Assert.DoesNotContain('\0', segment);
                Assert.DoesNotContain(segment, c => c < 0x20);
                Assert.InRange(Encoding.UTF8.GetByteCount(segment), 1, MirrorPath.MaxSegmentBytes);
                Assert.False(Path.IsPathRooted(segment), segment);
            });
            var full = Path.GetFullPath(Path.Combine([root, .. segments]));
            Assert.StartsWith(root + Path.DirectorySeparatorChar, full, StringComparison.Ordinal);
            Assert.InRange(Encoding.UTF8.GetByteCount(string.Join('/', segments)), 1, MirrorPath.MaxPathBytes);
        }
    }

    [Fact]
    public void Long_names_are_cut_with_a_hash_so_they_stay_apart()
    {
        var a = MirrorPath.For(new Uri("http://h/" + new string('a', 300) + "1"), isHtml: true)[^1];
        var b = MirrorPath.For(new Uri("http://h/" + new string('a', 300) + "2"), isHtml: true)[^1];

        Assert.NotEqual(a, b);
        Assert.EndsWith(".html", a, StringComparison.Ordinal);
        Assert.StartsWith(new string('a', 100), a, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(a) <= MirrorPath.MaxSegmentBytes);
    }
}
