using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Xml;

namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads a sitemap (sitemaps.org protocol 0.9): a <c>urlset</c> of pages or a <c>sitemapindex</c> of more
/// sitemaps, gzip-compressed or not, with each entry's <c>&lt;lastmod&gt;</c>. Safe on hostile input: a
/// streaming <see cref="XmlReader"/> that refuses DTDs (so no entity expansion and no external entities) and
/// resolves nothing, a cap on the uncompressed size that also stops a decompression bomb, and a cap on the
/// entries. Never throws on bad content: what could be read is returned, with the reason it stopped.
/// </summary>
/// <param name="sortQuery">Sort query parameters when normalising, as links are (<c>--sort-query</c>).</param>
/// <param name="maxUrlLength">Longer locations are left out, as longer links are (<c>--max-url-length</c>).</param>
internal sealed class SitemapReader(bool sortQuery, int maxUrlLength)
{
    /// <summary>sitemaps.org: a sitemap lists at most 50,000 URLs (an index, 50,000 sitemaps); entries past it are not read.</summary>
    public const int MaxUrls = 50_000;

    /// <summary>sitemaps.org: a sitemap is at most 50 MB (52,428,800 bytes) uncompressed; reading stops there, however small the compressed file.</summary>
    public const long MaxBytes = 50L * 1024 * 1024;

    private static readonly string[] DateFormats = ["yyyy", "yyyy-MM", "yyyy-MM-dd"];

    /// <summary>Reads <paramref name="body"/>, the sitemap found at <paramref name="location"/> (relative locations are resolved against it).</summary>
    public Sitemap Read(ReadOnlyMemory<byte> body, Uri location)
    {
        ArgumentNullException.ThrowIfNull(location);
        var gzip = body.Length >= 2 && body.Span[0] == 0x1f && body.Span[1] == 0x8b;
        // The body is read where it lies; a copy would double what a 50 MB sitemap holds.
        using var raw = MemoryMarshal.TryGetArray(body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(body.ToArray(), writable: false);
        using var decoded = gzip ? new GZipStream(raw, CompressionMode.Decompress) : (Stream)raw;
        using var capped = new CappedStream(decoded, MaxBytes);
        var entries = new List<SitemapEntry>();
        var kind = SitemapKind.NotASitemap;
        try
        {
            using var reader = XmlReader.Create(capped, Settings);
            if (reader.MoveToContent() != XmlNodeType.Element)
            {
                return Sitemap.Not("not a sitemap: no root element");
            }
            (kind, var entryName) = reader.LocalName switch
            {
                "urlset" => (SitemapKind.UrlSet, "url"),
                "sitemapindex" => (SitemapKind.Index, "sitemap"),
                _ => (SitemapKind.NotASitemap, ""),
            };
            if (kind == SitemapKind.NotASitemap)
            {
                return Sitemap.Not($"not a sitemap: the root element is <{reader.LocalName}>");
            }
            var limited = ReadEntries(reader, entryName, location, entries);
            return new Sitemap(kind, entries, limited ? $"sitemap lists more than {MaxUrls:N0} URLs (the sitemaps.org limit): the rest not read" : null);
        }
        catch (Exception e) when (e is XmlException or InvalidDataException or IOException)
        {
            var why = capped.Exceeded ? $"sitemap larger than {MaxBytes / 1024 / 1024} MiB uncompressed (the sitemaps.org limit): the rest not read"
                : e is InvalidDataException or IOException ? "sitemap: bad gzip data"
                : kind == SitemapKind.NotASitemap ? "not a sitemap: not XML"
                : string.Create(CultureInfo.InvariantCulture, $"sitemap: bad XML at line {(e as XmlException)?.LineNumber}");
            return new Sitemap(kind, entries, why);
        }
    }

    private static XmlReaderSettings Settings => new()
    {
        // No DTD means no entity expansion (billion laughs) and no external entities; nothing is resolved either way.
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        MaxCharactersInDocument = MaxBytes,
        CloseInput = false,
    };

    /// <summary>Reads each entry's <c>loc</c> and <c>lastmod</c> below the root; true when it stopped at <see cref="MaxUrls"/>.</summary>
    private bool ReadEntries(XmlReader reader, string entryName, Uri location, List<SitemapEntry> entries)
    {
        string? loc = null;
        string? lastmod = null;
        reader.Read();
        while (!reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth == 2 && reader.LocalName is "loc" or "lastmod")
            {
                var isLoc = reader.LocalName == "loc";
                var text = reader.ReadElementContentAsString().Trim();
                (loc, lastmod) = isLoc ? (text, lastmod) : (loc, text);
                continue;
            }
            if (reader.Depth == 1 && reader.LocalName == entryName && (reader.NodeType == XmlNodeType.EndElement || reader.IsEmptyElement))
            {
                if (entries.Count == MaxUrls)
                {
                    return true;
                }
                if (loc is not null && UrlNormalizer.TryNormalize(loc, location, sortQuery, maxUrlLength, out var url))
                {
                    entries.Add(new SitemapEntry(url, ParseDate(lastmod)));
                }
                (loc, lastmod) = (null, null);
            }
            reader.Read();
        }
        return false;
    }

    /// <summary>A W3C Datetime, as sitemaps write <c>lastmod</c>: a year, a month, a day, or a time with its zone (UTC when it has none).</summary>
    internal static DateTimeOffset? ParseDate(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        const DateTimeStyles styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, styles, out var date)
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, styles, out date))
        {
            return date;
        }
        return null;
    }

    /// <summary>A read-only stream that ends after <c>limit</c> bytes and says so, so a bomb is cut, not inflated.</summary>
    private sealed class CappedStream(Stream inner, long limit) : Stream
    {
        private long read;

        /// <summary>The stream had more than the limit.</summary>
        public bool Exceeded { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (read >= limit)
            {
                // One byte more tells a body of exactly the limit from a longer one.
                Span<byte> probe = stackalloc byte[1];
                Exceeded = inner.Read(probe) > 0;
                return 0;
            }
            var n = inner.Read(buffer[..(int)Math.Min(buffer.Length, limit - read)]);
            read += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
