using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace AsyncFetcher.Testing;

/// <summary>One WARC record as a reader sees it: its named fields and its block.</summary>
public sealed record WarcRecord(IReadOnlyDictionary<string, string> Fields, byte[] Block)
{
    public string Type => Fields["WARC-Type"];

    public string? TargetUri => Fields.GetValueOrDefault("WARC-Target-URI");

    public string Id => Fields["WARC-Record-ID"];

    public string? Field(string name) => Fields.GetValueOrDefault(name);

    /// <summary>The HTTP status of a response or revisit record's block.</summary>
    public int Status => int.Parse(Encoding.ASCII.GetString(Block, 9, 3), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The block as text (a request, a head, warc-fields).</summary>
    public string Text => Encoding.UTF8.GetString(Block);
}

/// <summary>
/// A WARC reader and digest checker written for the tests, independent of the writer: it reads the
/// gzip members in order, parses each record, and recomputes its digests — the block's, and the
/// payload's over the entity-body with the chunked framing removed, as WARC 1.1 section 6.3.2 says.
/// </summary>
public static class WarcReader
{
    /// <summary>Reads every whole record of <paramref name="path"/>; <paramref name="torn"/> says the file ends in a record cut short.</summary>
    public static List<WarcRecord> Read(string path, out bool torn)
    {
        var records = new List<WarcRecord>();
        torn = false;
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var data = new MemoryStream();
        try
        {
            gzip.CopyTo(data);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            torn = true;
        }
        var bytes = data.ToArray();
        var at = 0;
        while (at < bytes.Length)
        {
            var headEnd = IndexOf(bytes, "\r\n\r\n"u8, at);
            if (headEnd < 0)
            {
                torn = true;
                break;
            }
            var lines = Encoding.UTF8.GetString(bytes, at, headEnd - at).Split("\r\n");
            if (lines[0] != "WARC/1.1")
            {
                throw new InvalidDataException($"record at {at} starts with '{lines[0]}'");
            }
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var name = line[..colon];
                var value = line[(colon + 1)..].Trim();
                // WARC-Concurrent-To may repeat; the tests read it once.
                fields[name] = fields.TryGetValue(name, out var earlier) ? earlier + " " + value : value;
            }
            var length = int.Parse(fields["Content-Length"], System.Globalization.CultureInfo.InvariantCulture);
            var blockStart = headEnd + 4;
            if (blockStart + length + 4 > bytes.Length)
            {
                torn = true;
                break;
            }
            if (!bytes.AsSpan(blockStart + length, 4).SequenceEqual("\r\n\r\n"u8))
            {
                throw new InvalidDataException($"record at {at} is not followed by CRLF CRLF");
            }
            records.Add(new WarcRecord(fields, bytes.AsSpan(blockStart, length).ToArray()));
            at = blockStart + length + 4;
        }
        return records;
    }

    /// <summary>Reads every record and fails on a torn end.</summary>
    public static List<WarcRecord> ReadAll(string path)
    {
        var records = Read(path, out var torn);
        if (torn)
        {
            throw new InvalidDataException($"{path} ends in a torn record");
        }
        return records;
    }

    /// <summary>Why a record's digests do not match its block; null when they do (or it has none).</summary>
    public static string? DigestProblem(WarcRecord record)
    {
        if (record.Field("WARC-Block-Digest") is { } block && block != Sha1(record.Block))
        {
            return $"{record.Type} {record.TargetUri}: WARC-Block-Digest {block}, block hashes to {Sha1(record.Block)}";
        }
        if (record.Type == "response" && record.Field("WARC-Payload-Digest") is { } payload && payload != Sha1(Payload(record.Block)))
        {
            return $"{record.Type} {record.TargetUri}: WARC-Payload-Digest {payload}, payload hashes to {Sha1(Payload(record.Block))}";
        }
        return null;
    }

    /// <summary>The entity-body of an HTTP message: after the head, with a chunked transfer coding undone.</summary>
    public static byte[] Payload(byte[] message)
    {
        var headEnd = IndexOf(message, "\r\n\r\n"u8, 0) + 4;
        var head = Encoding.ASCII.GetString(message, 0, headEnd);
        var body = message.AsSpan(headEnd);
        var chunked = head.Split("\r\n").Any(l => l.StartsWith("Transfer-Encoding:", StringComparison.OrdinalIgnoreCase) && l.EndsWith("chunked", StringComparison.OrdinalIgnoreCase));
        if (!chunked)
        {
            return body.ToArray();
        }
        var payload = new List<byte>();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body[at..].IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                break;
            }
            var sizeText = Encoding.ASCII.GetString(body.Slice(at, lineEnd)).Split(';')[0].Trim();
            var size = Convert.ToInt32(sizeText, 16);
            at += lineEnd + 2;
            if (size == 0)
            {
                break;
            }
            var take = Math.Min(size, body.Length - at);
            payload.AddRange(body.Slice(at, take).ToArray());
            at += size + 2;
        }
        return [.. payload];
    }

    public static string Sha1(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA1.HashData(bytes);
        var text = new StringBuilder("sha1:");
        for (var bit = 0; bit < hash.Length * 8; bit += 5)
        {
            var value = 0;
            for (var i = 0; i < 5; i++)
            {
                var b = bit + i;
                value = (value << 1) | (b < hash.Length * 8 ? (hash[b / 8] >> (7 - (b % 8))) & 1 : 0);
            }
            text.Append(alphabet[value]);
        }
        return text.ToString();
    }

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> what, int from)
    {
        var index = bytes.AsSpan(from).IndexOf(what);
        return index < 0 ? -1 : from + index;
    }
}
