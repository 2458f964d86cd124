using System.Runtime.InteropServices;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Once a crawl is under way, takes the native binary's code and read-only data out of the process's
/// resident set, so that only what the crawl goes on using comes back in.
/// </summary>
/// <remarks>
/// Start-up runs code a crawl never runs again (the command line, configuration, dependency injection,
/// the host), and the kernel maps a binary's pages in blocks of 64 KiB around each one touched: by the
/// first request about 15 MiB of the 22 MiB Native AOT binary is resident, against the 9 MiB of memory
/// the program itself has. <c>madvise(MADV_DONTNEED)</c> drops a private file mapping's pages from the
/// process without losing anything: they stay in the page cache, and a page touched again is mapped again
/// from there. Only mappings of the binary's file that were never written are dropped (a page written
/// after loading, such as relocated data, would lose its changes); anywhere else, and under the JIT, this
/// does nothing.
/// </remarks>
internal static partial class StartupPages
{
    private const int MadviseDontNeed = 4;

    /// <summary>Drops the binary's clean pages, on a thread-pool thread: it never delays the crawl.</summary>
    public static void ReleaseInBackground()
    {
        if (OperatingSystem.IsLinux() && !System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported)
        {
            ThreadPool.UnsafeQueueUserWorkItem(_ => Release(), null);
        }
    }

    private static void Release()
    {
        try
        {
            var binary = Environment.ProcessPath is { } path ? Path.GetFullPath(path) : null;
            (nint Start, nint End)? mapping = null;
            foreach (var line in File.ReadLines("/proc/self/smaps"))
            {
                if (Mapping(line, binary) is { } next)
                {
                    mapping = next.Clean ? (next.Start, next.End) : null;
                }
                else if (mapping is { } m && line.StartsWith("Anonymous:", StringComparison.Ordinal))
                {
                    // A page of the file written since it was loaded is anonymous now: keep the whole mapping.
                    if (line.AsSpan("Anonymous:".Length).Trim().StartsWith("0 "))
                    {
                        _ = madvise(m.Start, (nuint)(m.End - m.Start), MadviseDontNeed);
                    }
                    mapping = null;
                }
            }
        }
        catch (IOException)
        {
            // No /proc: nothing to give back.
        }
    }

    /// <summary>A mapping's header line ("start-end perms offset dev inode path"); Clean when it maps <paramref name="binary"/> read-only.</summary>
    private static (nint Start, nint End, bool Clean)? Mapping(string line, string? binary)
    {
        var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        // A line of the mapping's details ("Rss:   12 kB") has no range and fewer fields; an empty one, no fields.
        if (fields.Length < 5 || fields[1].Length != 4)
        {
            return null;
        }
        var dash = fields[0].IndexOf('-');
        if (dash < 1)
        {
            return null;
        }
        var start = nint.Parse(fields[0].AsSpan(0, dash), System.Globalization.NumberStyles.HexNumber);
        var end = nint.Parse(fields[0].AsSpan(dash + 1), System.Globalization.NumberStyles.HexNumber);
        var clean = binary is not null && fields.Length == 6 && fields[5].Trim() == binary && fields[1][1] != 'w';
        return (start, end, clean);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
