using System.Buffers;
using System.Security.Cryptography;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>
/// Reads a response's bytes as they arrive from the wire and takes the two SHA-1s a WARC response
/// record carries: of the whole block (the final head and the body as sent), and of the payload,
/// which WARC 1.1 (section 6.3.2) defines as the entity-body with the transfer coding removed: a
/// chunked body is hashed without its chunk framing, so two captures of the same content have the
/// same payload digest however the server cut it into chunks. Content-Encoding is kept: the
/// payload of a gzip response is the gzip. Heads of 1xx responses (100 Continue, 103 Early Hints)
/// come before the final response on the wire; they are dropped, not archived.
/// </summary>
internal sealed class ResponseDigests : IDisposable
{
    /// <summary>The longest head kept; SocketsHttpHandler refuses longer ones (64 KiB by default) anyway.</summary>
    private const int MaxHead = 256 * 1024;

    private readonly IncrementalHash block = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly IncrementalHash payload = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    private readonly ArrayBufferWriter<byte> head = new(1024);
    private bool inBody;
    private bool chunked;
    private Chunk chunk;
    private long chunkLeft;

    private enum Chunk
    {
        Size,
        Extension,
        SizeEnd,
        Data,
        DataEnd,
        TrailerLineStart,
        TrailerLine,
        TrailerEnd,
        Done,
    }

    /// <summary>The final response's status, once its head is complete.</summary>
    public int? Status { get; private set; }

    /// <summary>Length of the final head in bytes, once complete: where the payload starts in the block.</summary>
    public int HeadLength { get; private set; }

    /// <summary>
    /// Takes the next bytes read; returns what belongs in the block: nothing while a head is incomplete,
    /// the whole head (and the bytes after it) once it is, nothing of a 1xx head.
    /// </summary>
    /// <param name="bytes">The bytes read.</param>
    /// <param name="headOut">The final head, when these bytes completed it; empty otherwise.</param>
    /// <param name="bodyOut">The body bytes among <paramref name="bytes"/>.</param>
    public void Take(ReadOnlyMemory<byte> bytes, out ReadOnlyMemory<byte> headOut, out ReadOnlyMemory<byte> bodyOut)
    {
        headOut = default;
        bodyOut = default;
        while (!inBody && !bytes.IsEmpty)
        {
            var searchFrom = Math.Max(0, head.WrittenCount - 2);
            var room = Math.Min(bytes.Length, MaxHead - head.WrittenCount);
            head.Write(bytes.Span[..room]);
            bytes = bytes[room..];
            var end = HeadEnd(head.WrittenSpan, searchFrom);
            if (end < 0)
            {
                if (head.WrittenCount < MaxHead)
                {
                    return;
                }
                // A head that never ends: keep what came as the block, so nothing read is lost.
                end = head.WrittenCount;
            }
            // What followed the head in this read goes back in front of the rest.
            var after = head.WrittenSpan[end..].ToArray();
            var status = StatusOf(head.WrittenSpan[..end]);
            if (status is >= 100 and < 200)
            {
                head.ResetWrittenCount();
                bytes = Concat(after, bytes.Span);
                continue;
            }
            Status = status;
            HeadLength = end;
            chunked = IsChunked(head.WrittenSpan[..end]);
            block.AppendData(head.WrittenSpan[..end]);
            headOut = head.WrittenMemory[..end];
            inBody = true;
            bodyOut = after.Length == 0 ? bytes : Concat(after, bytes.Span);
            Body(bodyOut.Span);
            return;
        }
        if (inBody)
        {
            bodyOut = bytes;
            Body(bytes.Span);
        }
    }

    /// <summary>The block's SHA-1, as a WARC digest (<c>sha1:</c> and base32).</summary>
    public string BlockDigest() => "sha1:" + Base32.Encode(block.GetHashAndReset());

    /// <summary>The payload's SHA-1, as a WARC digest.</summary>
    public string PayloadDigest() => "sha1:" + Base32.Encode(payload.GetHashAndReset());

    public void Dispose()
    {
        block.Dispose();
        payload.Dispose();
    }

    private void Body(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        block.AppendData(bytes);
        if (!chunked)
        {
            payload.AppendData(bytes);
            return;
        }
        Dechunk(bytes);
    }

    /// <summary>Feeds the payload hash with the chunk data of a chunked body (RFC 9112 section 7.1), skipping sizes, extensions and trailers.</summary>
    private void Dechunk(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length && chunk != Chunk.Done)
        {
            if (chunk == Chunk.Data)
            {
                var n = (int)Math.Min(chunkLeft, bytes.Length - i);
                payload.AppendData(bytes.Slice(i, n));
                i += n;
                chunkLeft -= n;
                if (chunkLeft == 0)
                {
                    chunk = Chunk.DataEnd;
                }
                continue;
            }
            var b = bytes[i++];
            switch (chunk)
            {
                case Chunk.Size when HexValue(b) is var digit and >= 0:
                    chunkLeft = chunkLeft * 16 + digit;
                    break;
                case Chunk.Size or Chunk.Extension or Chunk.SizeEnd when b == '\n':
                    chunk = chunkLeft == 0 ? Chunk.TrailerLineStart : Chunk.Data;
                    break;
                case Chunk.Size when b == '\r':
                    chunk = Chunk.SizeEnd;
                    break;
                case Chunk.Size:
                    chunk = Chunk.Extension;
                    break;
                case Chunk.DataEnd when b == '\n':
                    chunk = Chunk.Size;
                    break;
                case Chunk.TrailerLineStart when b == '\n':
                    chunk = Chunk.Done;
                    break;
                case Chunk.TrailerLineStart when b == '\r':
                    chunk = Chunk.TrailerEnd;
                    break;
                case Chunk.TrailerLineStart:
                    chunk = Chunk.TrailerLine;
                    break;
                case Chunk.TrailerLine when b == '\n':
                    chunk = Chunk.TrailerLineStart;
                    break;
                case Chunk.TrailerEnd when b == '\n':
                    chunk = Chunk.Done;
                    break;
            }
        }
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    /// <summary>Where a head ends: after the empty line (CRLF CRLF, or LF LF as lenient parsers accept); -1 while it has not.</summary>
    private static int HeadEnd(ReadOnlySpan<byte> bytes, int from)
    {
        for (var i = Math.Max(from, 1); i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' && (bytes[i - 1] == '\n' || (bytes[i - 1] == '\r' && i >= 2 && bytes[i - 2] == '\n')))
            {
                return i + 1;
            }
        }
        return -1;
    }

    /// <summary>The status code of a head's status line (<c>HTTP/1.1 200 OK</c>); null when it has none.</summary>
    private static int? StatusOf(ReadOnlySpan<byte> head) =>
        head.Length >= 12 && head.StartsWith("HTTP/"u8) && head[8] == ' '
        && char.IsAsciiDigit((char)head[9]) && char.IsAsciiDigit((char)head[10]) && char.IsAsciiDigit((char)head[11])
            ? (head[9] - '0') * 100 + (head[10] - '0') * 10 + (head[11] - '0')
            : null;

    /// <summary>Whether the head's Transfer-Encoding ends with chunked (the only coding HTTP/1.1 frames a body with).</summary>
    private static bool IsChunked(ReadOnlySpan<byte> head)
    {
        var found = false;
        foreach (var range in head.Split((byte)'\n'))
        {
            var line = head[range].TrimEnd((byte)'\r');
            var colon = line.IndexOf((byte)':');
            if (colon > 0 && System.Text.Ascii.EqualsIgnoreCase(line[..colon].Trim((byte)' '), "Transfer-Encoding"u8))
            {
                var value = line[(colon + 1)..].Trim((byte)' ');
                var lastComma = value.LastIndexOf((byte)',');
                found = System.Text.Ascii.EqualsIgnoreCase(value[(lastComma + 1)..].Trim((byte)' '), "chunked"u8);
            }
        }
        return found;
    }

    private static byte[] Concat(ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (first.IsEmpty)
        {
            return second.ToArray();
        }
        var all = new byte[first.Length + second.Length];
        first.CopyTo(all);
        second.CopyTo(all.AsSpan(first.Length));
        return all;
    }
}
