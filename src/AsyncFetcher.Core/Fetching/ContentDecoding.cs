using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// Decodes a body sent with Content-Encoding gzip, deflate or br, and notices when the compressed
/// stream stops before its end. The runtime's decoders (and SocketsHttpHandler's automatic
/// decompression) return a truncated gzip, deflate or brotli stream as a shorter body without a
/// word, so a page cut mid-transfer looked whole. Here the end is checked: gzip's trailer must give
/// the decoded length, zlib's its Adler-32, brotli's decoder must reach its last block. A stream that
/// fails the check throws an <see cref="IOException"/> at its end, which the body reader treats as a
/// body cut short (retried).
/// </summary>
internal static class ContentDecoding
{
    /// <summary>The Accept-Encoding sent with every request: the codings decoded here.</summary>
    public const string Accepted = "gzip, deflate, br";

    /// <summary>The decoded body of <paramref name="raw"/>; <paramref name="raw"/> itself when the coding is none or unknown.</summary>
    public static Stream Open(Stream raw, ICollection<string> contentEncoding)
    {
        // Only the last coding applied is undone; stacked codings are as rare as they are unsupported by browsers.
        var coding = contentEncoding.Count == 0 ? null : contentEncoding.Last().Trim().ToLowerInvariant();
        return coding switch
        {
            "gzip" or "x-gzip" => new CheckedInflate(raw, gzip: true),
            "deflate" => new CheckedInflate(raw, gzip: false),
            "br" => new BrotliBody(raw),
            _ => raw,
        };
    }

    private static IOException CutShort(string coding) => new($"{coding} stream ended before its end");

    /// <summary>
    /// gzip (RFC 1952) or zlib (RFC 1950, HTTP's "deflate") through the runtime's decoder, over a
    /// stream that keeps the last eight compressed bytes: at the end they must hold the trailer
    /// that matches what was decoded.
    /// </summary>
    private sealed class CheckedInflate : ReadOnlyStream
    {
        private readonly TailStream tail;
        private readonly Stream decoder;
        private readonly bool gzip;
        private long length;
        private uint adlerA = 1;
        private uint adlerB;

        public CheckedInflate(Stream raw, bool gzip)
        {
            tail = new TailStream(raw);
            decoder = gzip ? new GZipStream(tail, CompressionMode.Decompress) : new ZLibStream(tail, CompressionMode.Decompress);
            this.gzip = gzip;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await decoder.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (!Complete())
                {
                    throw CutShort(gzip ? "gzip" : "deflate");
                }
                return 0;
            }
            length += read;
            if (!gzip)
            {
                Adler(buffer.Span[..read]);
            }
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                decoder.Dispose();
            }
            base.Dispose(disposing);
        }

        private bool Complete()
        {
            if (tail.Count < 8)
            {
                return false;
            }
            var last = tail.Last;
            return gzip
                ? BinaryPrimitives.ReadUInt32LittleEndian(last[4..]) == (uint)length
                : BinaryPrimitives.ReadUInt32BigEndian(last[4..]) == (adlerB << 16 | adlerA);
        }

        private void Adler(ReadOnlySpan<byte> bytes)
        {
            const uint Mod = 65521;
            // 5552 bytes is the most that can be summed before the 32-bit sums must be reduced.
            while (!bytes.IsEmpty)
            {
                var block = bytes[..Math.Min(bytes.Length, 5552)];
                foreach (var b in block)
                {
                    adlerA += b;
                    adlerB += adlerA;
                }
                adlerA %= Mod;
                adlerB %= Mod;
                bytes = bytes[block.Length..];
            }
        }
    }

    /// <summary>Brotli through <see cref="BrotliDecoder"/>, whose status says whether the stream reached its end.</summary>
    private sealed class BrotliBody(Stream raw) : ReadOnlyStream
    {
        private readonly byte[] input = ArrayPool<byte>.Shared.Rent(16 * 1024);
        private BrotliDecoder decoder;
        private int start;
        private int end;
        private bool done;
        private bool rawEnded;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!done && !buffer.IsEmpty)
            {
                if (start < end || rawEnded)
                {
                    var status = decoder.Decompress(input.AsSpan(start, end - start), buffer.Span, out var consumed, out var written);
                    start += consumed;
                    if (status == OperationStatus.InvalidData)
                    {
                        throw new InvalidDataException("invalid brotli stream");
                    }
                    done = status == OperationStatus.Done;
                    if (written > 0)
                    {
                        return written;
                    }
                    if (status == OperationStatus.NeedMoreData && rawEnded)
                    {
                        throw CutShort("br");
                    }
                    if (status != OperationStatus.NeedMoreData)
                    {
                        continue;
                    }
                }
                // Keep what the decoder left, at the front, and fill up behind it.
                input.AsSpan(start, end - start).CopyTo(input);
                end -= start;
                start = 0;
                var read = await raw.ReadAsync(input.AsMemory(end), cancellationToken).ConfigureAwait(false);
                end += read;
                rawEnded = read == 0;
            }
            return 0;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                decoder.Dispose();
                ArrayPool<byte>.Shared.Return(input);
                raw.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>Passes reads through and keeps the last eight bytes read.</summary>
    private sealed class TailStream(Stream inner) : ReadOnlyStream
    {
        private readonly byte[] last = new byte[8];

        /// <summary>Bytes read in all (the tail is whole from eight on).</summary>
        public long Count { get; private set; }

        public ReadOnlySpan<byte> Last => last;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            var bytes = buffer.Span[..read];
            if (read >= 8)
            {
                bytes[^8..].CopyTo(last);
            }
            else if (read > 0)
            {
                last.AsSpan(read).CopyTo(last);
                bytes.CopyTo(last.AsSpan(8 - read));
            }
            Count += read;
            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    /// <summary>The members every read-only, async-only stream here shares.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // The decoders read their input through ReadAsync only; the synchronous paths are not used.
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
