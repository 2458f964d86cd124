using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// The memory page bodies are read into: lent by <see cref="BodyReadingHandler"/>, given back once the
/// page's links are read (<see cref="Fetcher.GiveBack"/>) or when the pipeline drops the response (a
/// retried 503 takes its <see cref="ReadBody"/> with it). robots.txt and sitemaps are not lent: their
/// bodies are read after the fetch by code that does not give them back.
/// </summary>
/// <remarks>
/// <para>A body up to <see cref="Largest"/> (most pages) is an array from a bounded pool: a page's body was
/// the largest allocation a request made, a quarter of the bytes allocated on postgresql-doc, and the
/// collections it caused are pauses in every request in flight. The pool keeps no more arrays than were
/// in use at once, and no array larger than <see cref="Largest"/>.</para>
/// <para>A larger body is native memory, freed the moment it is given back. On the GC heap it was a large
/// object, kept until the next full collection: python3-doc's few pages of 0.5–2.5 MB then sat beside one
/// another and set its peak RSS. Pooling them instead kept the largest for the whole crawl.</para>
/// </remarks>
internal sealed class PageBuffers
{
    /// <summary>The largest body whose buffer comes from the pool; larger ones are native memory.</summary>
    public const int Largest = 128 * 1024;

    /// <summary>Arrays of up to <see cref="Largest"/> bytes, in powers of two.</summary>
    private readonly ArrayPool<byte> pool = ArrayPool<byte>.Create(Largest, maxArraysPerBucket: 64);

    /// <summary>Bodies lent and not given back.</summary>
    private int outstanding;

    /// <summary>Bodies lent and not given back: none once a crawl is over (tests check it).</summary>
    public int Outstanding => Volatile.Read(ref outstanding);

    /// <summary>Room for at least <paramref name="size"/> bytes (native memory is not zeroed: the read overwrites it).</summary>
    public Memory<byte> Rent(int size)
    {
        Interlocked.Increment(ref outstanding);
        return size <= Largest ? pool.Rent(size) : new NativeBody(size).Memory;
    }

    /// <summary>
    /// Gives back the memory under a body from <see cref="Rent"/>. Nothing may read the body after this:
    /// its bytes are another page's, or freed.
    /// </summary>
    public void Return(ReadOnlyMemory<byte> body)
    {
        if (MemoryMarshal.TryGetMemoryManager<byte, NativeBody>(body, out var native))
        {
            native.Free();
            Interlocked.Decrement(ref outstanding);
        }
        else if (MemoryMarshal.TryGetArray(body, out var segment) && segment.Array is { Length: > 0 and <= Largest } array && BitOperations.IsPow2(array.Length))
        {
            // The pool's arrays are powers of two up to Largest; an empty body has none to give back.
            pool.Return(array);
            Interlocked.Decrement(ref outstanding);
        }
    }

    /// <summary>
    /// A body's bytes outside the GC heap. No finalizer (CA2015): a span over the bytes could outlive this
    /// object. A body that is never given back (a caller of the fetcher that reads no links, as the demos)
    /// leaves its bytes to the process's end.
    /// </summary>
    private sealed unsafe class NativeBody : MemoryManager<byte>
    {
        private readonly int length;
        private byte* bytes;

        public NativeBody(int length)
        {
            this.length = length;
            bytes = (byte*)NativeMemory.Alloc((nuint)length);
        }

        /// <summary>The bytes; a body read after it was given back is a bug, and throws rather than read freed memory.</summary>
        public override Span<byte> GetSpan() => bytes is not null ? new(bytes, length) : throw new ObjectDisposedException(nameof(NativeBody));

        public override MemoryHandle Pin(int elementIndex = 0) => new(bytes + elementIndex);

        public override void Unpin()
        {
        }

        /// <summary>Frees the bytes, once: a second call finds nothing to free.</summary>
        public void Free()
        {
            NativeMemory.Free(bytes);
            bytes = null;
        }

        protected override void Dispose(bool disposing) => Free();
    }
}
