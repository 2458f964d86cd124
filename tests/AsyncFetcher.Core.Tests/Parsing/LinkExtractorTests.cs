using System.Text;
using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Tests.Parsing;

/// <summary>
/// Link extraction, each case run through both readers: the byte scanner the crawler uses for
/// UTF-8 and single-byte pages, and AngleSharp's tokenizer, the reference and the fallback.
/// </summary>
public sealed class LinkExtractorTests
{
    private static readonly Uri Page = new("http://example.test/dir/page.html");

    public enum Reader
    {
        Scanner,
        Tokenizer,
    }

    public static TheoryData<Reader> Readers => new() { Reader.Scanner, Reader.Tokenizer };

    private static PageLinks Extract(Reader reader, string html, bool followNofollow = false)
    {
        var extractor = new LinkExtractor(followNofollow, sortQuery: false, maxUrlLength: 2048);
        return reader == Reader.Scanner
            ? ScanOnly(extractor, Encoding.UTF8.GetBytes(html), followNofollow)
            : extractor.ExtractWithTokenizer(html, Page);
    }

    // The scanner on its own, so a case it handed back to AngleSharp would fail here instead of passing by the fallback.
    private static PageLinks ScanOnly(LinkExtractor extractor, byte[] body, bool followNofollow)
    {
        var page = new PageLinksBuilder(new LinkRules(followNofollow, SortQuery: false, MaxUrlLength: 2048), Page);
        Assert.True(HtmlByteScanner.TryScan(body, Encoding.UTF8, page), "the scanner gave the page back to the tokenizer");
        if (page.NeedsRescan)
        {
            page = page.WithBase();
            Assert.True(HtmlByteScanner.TryScan(body, Encoding.UTF8, page));
        }
        var viaEntryPoint = extractor.Extract(body, null, Page);
        var result = page.Build();
        Assert.Equal(Paths(viaEntryPoint), Paths(result));
        return result;
    }

    private static string[] Paths(PageLinks links) => [.. links.Links.Select(u => u.PathAndQuery)];

    [Theory, MemberData(nameof(Readers))]
    public void Finds_anchors_areas_and_next_prev_links_in_document_order(Reader reader)
    {
        var links = Extract(reader, "<a href=\"a\">a</a><map><area href=\"/b\"></map><link rel=\"next\" href=\"c\"><link rel=\"stylesheet\" href=\"s.css\"><link rel=\"prev\" href=\"d\">");

        Assert.Equal(["/dir/a", "/b", "/dir/c", "/dir/d"], Paths(links));
        Assert.Equal(4, links.LinksFound);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Each_target_is_reported_once_in_the_order_it_first_appears_and_every_element_is_counted(Reader reader)
    {
        var links = Extract(reader, "<a href=\"a\">1</a><a href=\"/b\">2</a><a href=\"./a#top\">3</a><a href=\"a\">4</a><a href=\"B\">5</a>");

        Assert.Equal(["/dir/a", "/b", "/dir/B"], Paths(links));
        Assert.Equal(5, links.LinksFound);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Markup_inside_script_style_and_title_is_not_a_link(Reader reader)
    {
        var links = Extract(reader, "<title>A &amp; <a href=/t>B</title><script>var x = '<a href=\"/js\">';</script><style>a[href=\"/css\"]{}</style><textarea><a href=/ta></textarea><a href=\"/real\">r</a>");

        Assert.Equal(["/real"], Paths(links));
        Assert.Equal("A & <a href=/t>B", links.Title);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Title_is_trimmed_and_whitespace_collapsed(Reader reader)
    {
        Assert.Equal("Hello world", Extract(reader, "<title>\n  Hello\n   world </title>").Title);
        Assert.Null(Extract(reader, "<p>no title</p>").Title);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Base_href_changes_how_relative_links_resolve(Reader reader)
    {
        var links = Extract(reader, "<head><base href=\"/other/\"></head><a href=\"x\">x</a>");

        Assert.Equal(["/other/x"], Paths(links));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Meta_robots_nofollow_drops_every_link_and_noindex_is_reported(Reader reader)
    {
        var links = Extract(reader, "<meta name=\"ROBOTS\" content=\"noindex,nofollow\"><a href=\"a\">a</a>");

        Assert.Empty(links.Links);
        Assert.True(links.NoFollow);
        Assert.True(links.NoIndex);
        Assert.Equal(1, links.LinksFound);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Rel_nofollow_is_skipped_unless_asked_for(Reader reader)
    {
        const string html = "<a rel=\"external nofollow\" href=\"n\">n</a><a href=\"f\">f</a>";

        Assert.Equal(["/dir/f"], Paths(Extract(reader, html)));
        Assert.Equal(["/dir/n", "/dir/f"], Paths(Extract(reader, html, followNofollow: true)));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Unfollowable_hrefs_are_dropped(Reader reader)
    {
        var links = Extract(reader, "<a href=\"mailto:x@y\">m</a><a href=\"javascript:void(0)\">j</a><a href=\"#top\">t</a><a href=\"\">e</a><a>no href</a><a href=\" /ok \">ok</a>");

        Assert.Equal(["/ok"], Paths(links));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Links_inside_comments_are_not_links_and_every_comment_ending_is_honoured(Reader reader)
    {
        var links = Extract(reader,
            "<!-- <a href=/c1> --><a href=/ok1>" +
            "<!--><a href=/ok2>" +
            "<!---><a href=/ok3>" +
            "<!-- x --!><a href=/ok4>" +
            "<!--!><a href=/c2> -- > still a comment --><a href=/ok5>" +
            "<!doctype html><?php echo '<a href=/c3>' ?><a href=/ok6></3 <a href=/c4>><a href=/ok7>");

        Assert.Equal(["/ok1", "/ok2", "/ok3", "/ok4", "/ok5", "/ok6", "/ok7"], Paths(links));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Script_ends_only_at_its_own_end_tag(Reader reader)
    {
        var links = Extract(reader,
            "<script>if (a<b) document.write('<a href=\"/js1\">'); x = '</scripts>' + '</a href=/js2>';</script ><a href=/after1>" +
            "<SCRIPT type=\"text/javascript\">'<a href=/js3>'</ScRiPt\n><a href=/after2>" +
            "<script/><a href=/after3>" +
            "<style>a[href='/css']{}</style x=\">\"><a href=/after4>");

        Assert.Equal(["/after1", "/after2", "/after3", "/after4"], Paths(links));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Attributes_may_be_unquoted_valueless_spaced_or_repeated_and_the_first_wins(Reader reader)
    {
        var links = Extract(reader,
            "<a href=/u1 href=/dup>" +
            "<a class=x href='/u2?a=\"b\"'>" +
            "<a href = \"/u3\" >" +
            "<a\nhref=/u4\n>" +
            "<A HREF=/u5>" +
            "<a download href=/u6 hidden>" +
            "<a href>" +
            "<a data-x=\"<a href=/no1>\" title='>' href=/u7>" +
            "<a href=/u8/>" +
            "<a/href=/u9>");

        Assert.Equal(["/u1", "/u2?a=%22b%22", "/u3", "/u4", "/u5", "/u6", "/u7", "/u8/", "/u9"], Paths(links));
        Assert.Equal(10, links.LinksFound);
    }

    [Theory, MemberData(nameof(Readers))]
    public void Character_references_in_hrefs_and_titles_are_resolved(Reader reader)
    {
        var links = Extract(reader,
            "<title>Fish &amp; Chips &#x2014; &copy 2024 &notit; &#65;&#x42;</title>" +
            "<a href=\"/p?a=1&amp;b=2\">" +
            "<a href=\"&#x2F;slash&#47;ed\">" +
            "<a href=/q?x=1&copy=2>" +
            "<a href='/r?&lt;&gt;'>");

        Assert.Equal(["/p?a=1&b=2", "/slash/ed", "/q?x=1&copy=2", "/r?%3C%3E"], Paths(links));
        Assert.Equal("Fish & Chips \u2014 \u00a9 2024 \u00acit; AB", links.Title);
    }

    [Theory, MemberData(nameof(Readers))]
    public void A_later_base_still_applies_to_earlier_links_and_only_the_first_base_counts(Reader reader)
    {
        var links = Extract(reader, "<a href=x></a><base target=_top><base href=/first/><base href=/second/><a href=y>");

        Assert.Equal(["/first/x", "/first/y"], Paths(links));
    }

    [Theory]
    [InlineData("<meta name=robots content=none>", true, true)]
    [InlineData("<META NAME=\"Robots\" CONTENT=\"NOINDEX\">", true, false)]
    [InlineData("<meta content='follow, nofollow' name='robots'>", false, true)]
    [InlineData("<meta name=\"robots\" content=\"index follow\">", false, false)]
    [InlineData("<meta name=\"googlebot\" content=\"noindex\">", false, false)]
    [InlineData("<meta name=robots name=other content=noindex>", true, false)]
    [InlineData("<!-- <meta name=robots content=none> -->", false, false)]
    public void Meta_robots_variants(string meta, bool noIndex, bool noFollow)
    {
        foreach (var reader in new[] { Reader.Scanner, Reader.Tokenizer })
        {
            var links = Extract(reader, meta + "<a href=/a>");

            Assert.Equal(noIndex, links.NoIndex);
            Assert.Equal(noFollow, links.NoFollow);
            Assert.Equal(noFollow ? [] : ["/a"], Paths(links));
        }
    }

    [Theory, MemberData(nameof(Readers))]
    public void Plaintext_ends_the_markup_and_textarea_hides_links(Reader reader)
    {
        var links = Extract(reader, "<textarea><a href=/t></TEXTAREA><a href=/ok><plaintext><a href=/p>");

        Assert.Equal(["/ok"], Paths(links));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Only_the_first_title_counts_and_an_unclosed_one_runs_to_the_end(Reader reader)
    {
        Assert.Equal("One", Extract(reader, "<TITLE>One</TITLE ><title>Two</title>").Title);
        Assert.Equal("Open <a href=/x>", Extract(reader, "<title>Open <a href=/x>").Title);
        Assert.Equal("a </b> c", Extract(reader, "<title>a </B> c</title>").Title);
        Assert.Null(Extract(reader, "<title/><p>not a title").Title);
    }

    [Theory, MemberData(nameof(Readers))]
    public void A_tag_cut_off_by_the_end_of_the_page_is_dropped(Reader reader)
    {
        Assert.Equal(["/a"], Paths(Extract(reader, "<a href=/a><a href=\"/b")));
        Assert.Equal(["/a"], Paths(Extract(reader, "<a href=/a><a href=/b")));
    }

    [Fact]
    public void A_windows_1252_page_gets_its_href_and_title_decoded_from_its_own_bytes()
    {
        // "Café €" and "/menü" in windows-1252: one byte each for é, € (0x80) and ü, all invalid as UTF-8.
        var body = Encoding.Latin1.GetBytes("<title>Caf\u00e9 \u0080</title><a href=\"/men\u00fc\">");
        var extractor = new LinkExtractor(followNofollow: false, sortQuery: false, maxUrlLength: 2048);

        foreach (var charset in new[] { "windows-1252", "ISO-8859-1" })
        {
            var links = extractor.Extract(body, charset, Page);

            Assert.Equal("Caf\u00e9 \u20ac", links.Title);
            Assert.Equal(["/men%C3%BC"], Paths(links));
        }

        var viaMeta = extractor.Extract([.. "<meta charset=\"windows-1252\">"u8, .. body], null, Page);
        Assert.Equal("Caf\u00e9 \u20ac", viaMeta.Title);
        Assert.Equal(["/men%C3%BC"], Paths(viaMeta));
    }

    [Fact]
    public void A_utf16_page_with_a_byte_order_mark_is_read_through_the_tokenizer()
    {
        var html = "<title>\u65e5\u672c</title><a href=\"/\u65e5\">x</a><a href=/b>";
        var extractor = new LinkExtractor(followNofollow: false, sortQuery: false, maxUrlLength: 2048);

        foreach (var encoding in new[] { Encoding.Unicode, Encoding.BigEndianUnicode })
        {
            var links = extractor.Extract([.. encoding.Preamble, .. encoding.GetBytes(html)], "utf-8", Page);

            Assert.Equal("\u65e5\u672c", links.Title);
            Assert.Equal(["/%E6%97%A5", "/b"], Paths(links));
        }
    }

    [Fact]
    public void A_script_that_may_be_double_escaped_is_read_like_the_tokenizer_reads_it()
    {
        const string html = "<script><!--<script></script><a href=/inside></script><a href=/after>";
        var extractor = new LinkExtractor(followNofollow: false, sortQuery: false, maxUrlLength: 2048);

        var scanned = extractor.Extract(Encoding.UTF8.GetBytes(html), null, Page);

        Assert.Equal(Paths(extractor.ExtractWithTokenizer(html, Page)), Paths(scanned));
        Assert.False(HtmlByteScanner.TryScan(Encoding.UTF8.GetBytes(html), Encoding.UTF8, new PageLinksBuilder(new LinkRules(false, false, 2048), Page)));
    }

    [Theory]
    [InlineData("utf-8", true)]
    [InlineData("windows-1252", true)]
    [InlineData("iso-8859-2", true)]
    [InlineData("koi8-r", true)]
    [InlineData("shift_jis", false)]
    [InlineData("iso-2022-jp", false)]
    [InlineData("ibm037", false)]
    public void Only_ascii_compatible_encodings_are_scanned_as_bytes(string charset, bool scanned)
    {
        var encoding = HtmlDecoder.DetectEncoding([], charset, out _);

        Assert.Equal(charset, encoding.WebName, ignoreCase: true);
        Assert.Equal(scanned, HtmlDecoder.IsAsciiCompatible(encoding));
        Assert.False(HtmlDecoder.IsAsciiCompatible(Encoding.Unicode));
    }

    [Theory]
    [InlineData("<meta charset=\"windows-1252\">", "windows-1252")]
    [InlineData("<META HTTP-EQUIV=Content-Type CONTENT='text/html; CharSet = \"koi8-r\"'>", "koi8-r")]
    [InlineData("<p>no charsets here, charset: x; chars=koi8-r</p><meta charset=iso-8859-2>", "iso-8859-2")]
    [InlineData("<meta charset\u00a0=koi8-r>", "utf-8")]
    [InlineData("<meta charset=\u00e9koi8-r>", "utf-8")]
    [InlineData("<meta charse", "utf-8")]
    [InlineData("charset", "utf-8")]
    public void A_meta_charset_is_read_from_the_first_bytes(string head, string expected)
    {
        // Latin-1 bytes, so a character past ASCII is one byte past ASCII (0xA0 is a space in Unicode, not in ASCII).
        var encoding = HtmlDecoder.DetectEncoding(Encoding.Latin1.GetBytes(head), null, out _);

        Assert.Equal(expected, encoding.WebName, ignoreCase: true);
    }

    [Theory, MemberData(nameof(Readers))]
    public void A_title_is_cut_at_1000_characters_with_a_marker(Reader reader)
    {
        var result = Extract(reader, $"<html><title>{new string('t', 5000)}</title></html>");

        Assert.Equal(new string('t', 1000) + "…", result.Title);
    }

    [Theory, MemberData(nameof(Readers))]
    public void A_base_after_the_first_link_still_applies_to_it(Reader reader)
    {
        var result = Extract(reader, "<a href=\"a.html\">a</a><base href=\"/sub/\"><a href=\"b.html\">b</a>");

        Assert.Equal(["/sub/a.html", "/sub/b.html"], Paths(result));
    }

    [Theory, MemberData(nameof(Readers))]
    public void Links_past_the_cap_are_counted_not_kept(Reader reader)
    {
        var html = string.Concat(Enumerable.Range(0, 30).Select(i => $"<a href=\"/p{i % 20}\">x</a>")) + "<link rel=next href=/n>";
        var extractor = new LinkExtractor(new LinkRules(FollowNofollow: false, SortQuery: false, MaxUrlLength: 2048, MaxLinks: 5));
        var result = reader == Reader.Scanner ? extractor.Extract(Encoding.UTF8.GetBytes(html), null, Page) : extractor.ExtractWithTokenizer(html, Page);

        Assert.Equal(["/p0", "/p1", "/p2", "/p3", "/p4"], Paths(result));
        Assert.Equal(31, result.LinksFound);
        Assert.Equal(26, result.LinksOverCap);
        Assert.Equal("26 link(s) past --max-links-per-page (5) not followed", result.Note);
    }
}
