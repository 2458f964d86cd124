using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output;

/// <summary>
/// Opens the <c>--output</c> file of a crawl with a state file. A new crawl truncates it; a resumed
/// one appends, after cutting the file back to its length when the last page was saved (records
/// written after that belong to pages the resume fetches again), or, when that length does not
/// apply (another file, or a changed one), after trimming a torn last line.
/// </summary>
public static class OutputFile
{
    /// <summary>Opens <paramref name="path"/> for appending after <paramref name="checkpoint"/>; positioned at the end.</summary>
    /// <returns>The stream, and what was cut off its end, in bytes.</returns>
    public static (FileStream Stream, long Cut) OpenForResume(string path, CrawlCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var fresh = checkpoint == CrawlCheckpoint.Empty;
        var stream = new FileStream(path, fresh ? FileMode.Create : FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.Asynchronous);
        try
        {
            var length = stream.Length;
            var same = string.Equals(checkpoint.Output, Path.GetFullPath(path), StringComparison.Ordinal);
            if (same && length >= checkpoint.OutputLength)
            {
                // Only when something is cut: a device such as /dev/null refuses SetLength.
                if (length != checkpoint.OutputLength)
                {
                    stream.SetLength(checkpoint.OutputLength);
                }
            }
            else
            {
                TrimTornLine(stream);
            }
            stream.Seek(0, SeekOrigin.End);
            return (stream, length - stream.Length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Cuts a last line that has no line feed (a record torn by a killed run). Every record ends
    /// with one, and none holds a bare one: JSON escapes it, and CSV fields are single-line.
    /// </summary>
    /// <returns>Bytes cut.</returns>
    public static long TrimTornLine(FileStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var length = stream.Length;
        var buffer = new byte[4096];
        var end = length;
        while (end > 0)
        {
            var start = Math.Max(0, end - buffer.Length);
            stream.Position = start;
            stream.ReadExactly(buffer, 0, (int)(end - start));
            var newline = Array.LastIndexOf(buffer, (byte)'\n', (int)(end - start - 1));
            if (newline >= 0)
            {
                end = start + newline + 1;
                break;
            }
            end = start;
        }
        if (end != length)
        {
            stream.SetLength(end);
        }
        return length - end;
    }
}
