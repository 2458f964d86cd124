using System.Runtime.InteropServices;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Asks glibc to map every native allocation over 512 KiB on its own, so freeing it gives the memory back
/// to the system at once. Large page bodies are native memory (<c>PageBuffers</c> in the core), freed as
/// soon as their links are read.
/// </summary>
/// <remarks>
/// glibc maps an allocation of 128 KiB or more on its own, but raises that threshold to the size of each
/// such block freed, so after the first large body the next ones came from its per-thread arenas, which keep
/// what they once held. On python3-doc (four pages of 0.5–2.5 MB, a hundred of 128–512 KiB) peak RSS went
/// from a median of 36.4 MiB (33.4–40.2) to 34.3 (33.2–37.1) at the same wall time. A threshold of
/// 128 KiB went lower still (33.2) but cost 6 % of the wall in page faults for the hundred middling pages.
/// Elsewhere than Linux with glibc (musl, macOS, Windows) this does nothing.
/// </remarks>
internal static class NativeHeap
{
    /// <summary>glibc's <c>M_MMAP_THRESHOLD</c>; setting it also stops glibc from moving it.</summary>
    private const int MmapThreshold = -3;

    /// <summary>Sets the threshold; called once, before the crawl reads its first body.</summary>
    public static void MapLargeBlocks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = mallopt(MmapThreshold, 512 * 1024);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without mallopt keeps its own policy.
        }
    }

    [DllImport("libc")]
    private static extern int mallopt(int param, int value);
}
