using System.Buffers;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>
/// Bytes kept until their WARC record is written: in memory up to 64 KiB, then in a file in the
/// WARC's directory, so a large body is never held twice in memory (the body reader keeps the
/// decoded HTML it parses; the WARC needs the bytes as sent). The file is deleted as soon as it is
/// open, so nothing is left behind, whatever ends the process.
/// </summary>
internal sealed class Spool(string directory) : IDisposable
{
    private const int MemoryLimit = 64 * 1024;

    private byte[] memory = [];
    private FileStream? file;

    /// <summary>Bytes written.</summary>
    public long Length { get; private set; }

    /// <summary>Appends <paramref name="bytes"/>.</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (file is null && Length + bytes.Length <= MemoryLimit)
        {
            Grow(bytes.Length);
            bytes.CopyTo(memory.AsSpan((int)Length));
        }
        else
        {
            Spill().Write(bytes);
        }
        Length += bytes.Length;
    }

    /// <summary>Appends <paramref name="bytes"/>, without blocking on the file once it is one.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (file is null && Length + bytes.Length <= MemoryLimit)
        {
            Write(bytes.Span);
            return;
        }
        await Spill().WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        Length += bytes.Length;
    }

    /// <summary>Copies everything written to <paramref name="destination"/>.</summary>
    public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            await destination.WriteAsync(memory.AsMemory(0, (int)Length), cancellationToken).ConfigureAwait(false);
            return;
        }
        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        file.Position = 0;
        await file.CopyToAsync(destination, 64 * 1024, cancellationToken).ConfigureAwait(false);
        file.Position = file.Length;
    }

    public void Dispose()
    {
        if (memory.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(memory);
            memory = [];
        }
        file?.Dispose();
        file = null;
    }

    private void Grow(int more)
    {
        var needed = (int)Length + more;
        if (needed <= memory.Length)
        {
            return;
        }
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(MemoryLimit, Math.Max(needed, Math.Max(4096, memory.Length * 2))));
        memory.AsSpan(0, (int)Length).CopyTo(grown);
        if (memory.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(memory);
        }
        memory = grown;
    }

    private FileStream Spill()
    {
        if (file is not null)
        {
            return file;
        }
        var path = Path.Combine(directory, $".asyncfetch-{Guid.NewGuid():N}.spool");
        file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 64 * 1024,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        if (!OperatingSystem.IsWindows())
        {
            // Unlinked at once: the open handle keeps the bytes, and a killed process leaves no file.
            File.Delete(path);
        }
        file.Write(memory.AsSpan(0, (int)Length));
        if (memory.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(memory);
            memory = [];
        }
        return file;
    }
}
