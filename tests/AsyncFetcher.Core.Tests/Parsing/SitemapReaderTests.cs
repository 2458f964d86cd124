using System.IO.Compression;
using System.Text;
using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Tests.Parsing;

public sealed class SitemapReaderTests
{
    private static readonly Uri Location = new("http://a.test/sitemap.xml");
    private static readonly SitemapReader Reader = new(sortQuery: false, maxUrlLength: 2048);

    [Fact]
    public void Reads_a_urlset_with_each_lastmod_in_every_W3C_form()
    {
        var sitemap = Read(UrlSet(
            "<url><loc>http://a.test/</loc><lastmod>2005-01-01</lastmod><changefreq>monthly</changefreq><priority>0.8</priority></url>",
            "<url><loc> http://a.test/b?x=1&amp;y=2 </loc><lastmod>2004-12-23T18:00:15+02:00</lastmod></url>",
            "<url><loc>http://a.test/c</loc><lastmod>2004-11</lastmod></url>",
            "<url><loc>http://a.test/d</loc><lastmod>1997-07-16T19:20Z</lastmod></url>",
            "<url><loc>http://a.test/e</loc><lastmod>yesterday</lastmod></url>",
            "<url><loc>/relative</loc></url>",
            "<url><lastmod>2020-01-01</lastmod></url>",
            "<url><loc>mailto:x@a.test</loc></url>"));

        Assert.Equal(SitemapKind.UrlSet, sitemap.Kind);
        Assert.Null(sitemap.Error);
        Assert.Equal(
            ["http://a.test/", "http://a.test/b?x=1&y=2", "http://a.test/c", "http://a.test/d", "http://a.test/e", "http://a.test/relative"],
            sitemap.Entries.Select(e => e.Url.AbsoluteUri));
        Assert.Equal(
            [
                new DateTimeOffset(2005, 1, 1, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2004, 12, 23, 16, 0, 15, TimeSpan.Zero),
                new DateTimeOffset(2004, 11, 1, 0, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(1997, 7, 16, 19, 20, 0, TimeSpan.Zero),
                null,
                null,
            ],
            sitemap.Entries.Select(e => e.LastModified));
    }

    [Fact]
    public void Reads_an_index_of_sitemaps()
    {
        var sitemap = Read("""
            <?xml version="1.0" encoding="UTF-8"?>
            <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>http://a.test/sitemap1.xml.gz</loc><lastmod>2024-10-01T18:23:17+00:00</lastmod></sitemap>
              <sitemap><loc>http://a.test/sitemap2.xml</loc></sitemap>
            </sitemapindex>
            """);

        Assert.Equal(SitemapKind.Index, sitemap.Kind);
        Assert.Equal(["http://a.test/sitemap1.xml.gz", "http://a.test/sitemap2.xml"], sitemap.Entries.Select(e => e.Url.AbsoluteUri));
    }

    [Fact]
    public void Reads_a_gzip_compressed_sitemap()
    {
        var sitemap = Reader.Read(Gzip(Encoding.UTF8.GetBytes(UrlSet("<url><loc>http://a.test/zipped</loc></url>"))), Location);

        Assert.Equal("http://a.test/zipped", Assert.Single(sitemap.Entries).Url.AbsoluteUri);
    }

    [Fact]
    public void Ignores_the_locations_of_images_and_alternates_inside_an_entry()
    {
        var sitemap = Read("""
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" xmlns:xhtml="http://www.w3.org/1999/xhtml">
              <url><loc>http://a.test/page</loc><image:image><image:loc>http://a.test/photo.jpg</image:loc></image:image><xhtml:link rel="alternate" hreflang="de" href="http://a.test/de/page"/></url>
              <url/>
            </urlset>
            """);

        Assert.Equal("http://a.test/page", Assert.Single(sitemap.Entries).Url.AbsoluteUri);
    }

    [Theory]
    [InlineData("this is not xml at all", "not a sitemap: not XML")]
    [InlineData("<!doctype html><html><body>Not found</body></html>", "not a sitemap: not XML")]
    [InlineData("<html><body>soft 404</body></html>", "not a sitemap: the root element is <html>")]
    [InlineData("<rss version=\"2.0\"><channel/></rss>", "not a sitemap: the root element is <rss>")]
    [InlineData("", "not a sitemap: not XML")]
    public void A_body_that_is_no_sitemap_says_why(string body, string error)
    {
        var sitemap = Read(body);

        Assert.Equal(SitemapKind.NotASitemap, sitemap.Kind);
        Assert.Empty(sitemap.Entries);
        Assert.Equal(error, sitemap.Error);
    }

    [Fact]
    public void Refuses_a_DTD_so_entities_are_never_expanded_nor_files_read()
    {
        var secret = Path.GetTempFileName();
        File.WriteAllText(secret, "http://a.test/leaked");
        try
        {
            var sitemap = Read($"""
                <?xml version="1.0"?>
                <!DOCTYPE urlset [ <!ENTITY lol "lollollollollol"> <!ENTITY file SYSTEM "file://{secret}"> ]>
                <urlset><url><loc>&file;</loc></url><url><loc>http://a.test/&lol;</loc></url></urlset>
                """);

            Assert.Empty(sitemap.Entries);
            Assert.Equal("not a sitemap: not XML", sitemap.Error);
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void Stops_a_decompression_bomb_at_50_MiB_uncompressed_and_keeps_what_came_before()
    {
        // 1 MiB of gzip that inflates to about 200 MiB: one entry, then a comment of zeros that never ends.
        var head = Encoding.UTF8.GetBytes("<urlset><url><loc>http://a.test/first</loc></url><!--");
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(head);
            var zeros = new byte[1024 * 1024];
            Array.Fill(zeros, (byte)'0');
            for (var i = 0; i < 200; i++)
            {
                gzip.Write(zeros);
            }
        }
        Assert.True(packed.Length < 1024 * 1024, $"{packed.Length} bytes compressed");

        var sitemap = Reader.Read(packed.ToArray(), Location);

        Assert.Equal("http://a.test/first", Assert.Single(sitemap.Entries).Url.AbsoluteUri);
        Assert.Equal("sitemap larger than 50 MiB uncompressed (the sitemaps.org limit): the rest not read", sitemap.Error);
    }

    [Fact]
    public void Reads_at_most_50000_urls()
    {
        var entries = Enumerable.Range(0, SitemapReader.MaxUrls + 10).Select(i => $"<url><loc>http://a.test/{i}</loc></url>");

        var sitemap = Read(UrlSet([.. entries]));

        Assert.Equal(SitemapReader.MaxUrls, sitemap.Entries.Count);
        Assert.Equal("http://a.test/49999", sitemap.Entries[^1].Url.AbsoluteUri);
        Assert.Equal("sitemap lists more than 50,000 URLs (the sitemaps.org limit): the rest not read", sitemap.Error);
    }

    [Fact]
    public void Bad_xml_part_way_keeps_the_entries_before_it()
    {
        var sitemap = Read("<urlset>\n<url><loc>http://a.test/ok</loc></url>\n<url><loc>http://a.test/broken</url>\n</urlset>");

        Assert.Equal(SitemapKind.UrlSet, sitemap.Kind);
        Assert.Equal("http://a.test/ok", Assert.Single(sitemap.Entries).Url.AbsoluteUri);
        Assert.Equal("sitemap: bad XML at line 3", sitemap.Error);
    }

    private static Sitemap Read(string xml) => Reader.Read(Encoding.UTF8.GetBytes(xml), Location);

    private static string UrlSet(params string[] entries) =>
        $"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{string.Join("\n", entries)}\n</urlset>";

    private static byte[] Gzip(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }
        return packed.ToArray();
    }
}
