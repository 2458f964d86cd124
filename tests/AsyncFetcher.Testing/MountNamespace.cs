namespace AsyncFetcher.Testing;

/// <summary>
/// Wrappers for <see cref="CliRunner"/> that run the binary in a user and mount namespace of its own
/// (<c>unshare -rm</c>), where the test shapes the file system: a tiny tmpfs that fills up, or a folder
/// mounted read-only. Nothing outside the process sees these mounts, and a read-only mount stops even
/// root (tests run as root here, and chmod does not).
/// </summary>
public static class MountNamespace
{
    /// <summary>
    /// Mounts a tmpfs of <paramref name="size"/> (e.g. "64k") on <paramref name="folder"/>, copies the files of
    /// <paramref name="kept"/> into it, runs the binary, and copies what the tmpfs then holds back into
    /// <paramref name="kept"/>: so a later run, on a larger disk, sees the same files at the same paths.
    /// </summary>
    public static IReadOnlyList<string> SmallDisk(string folder, string size, string kept) =>
    [
        "unshare", "-rm", "sh", "-c",
        """
        folder=$1 size=$2 kept=$3; shift 3
        mount -t tmpfs -o "size=$size" tmpfs "$folder" || exit 90
        cp -a "$kept/." "$folder/" || exit 91
        "$@"; code=$?
        cp -a "$folder/." "$kept/" || exit 92
        exit $code
        """,
        "sh", folder, size, kept,
    ];

    /// <summary>Mounts <paramref name="folder"/> read-only over itself, then runs the binary.</summary>
    public static IReadOnlyList<string> ReadOnly(string folder) =>
    [
        "unshare", "-rm", "sh", "-c",
        """
        folder=$1; shift
        mount --bind "$folder" "$folder" && mount -o remount,bind,ro "$folder" || exit 90
        exec "$@"
        """,
        "sh", folder,
    ];
}
