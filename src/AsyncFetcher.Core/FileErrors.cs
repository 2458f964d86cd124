namespace AsyncFetcher.Core;

/// <summary>File errors in a user's words, for the one line a failure ends in.</summary>
public static class FileErrors
{
    // On Unix an IOException's HResult is the errno; on Windows, an HRESULT wrapping the Win32 error.
    private const int NoSpaceErrno = 28;
    private const int ReadOnlyFileSystemErrno = 30;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>
    /// "no such file", "no such directory", "is a directory", "permission denied", "no space left on the
    /// disk", "read-only file system", or the exception's own message. <paramref name="path"/>, when given,
    /// tells a directory from a file the user may not write.
    /// </summary>
    public static string Describe(Exception e, string? path = null) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException when path is not null && Directory.Exists(path) => "is a directory",
        UnauthorizedAccessException => "permission denied",
        IOException io when IsDiskFull(io) => "no space left on the disk",
        IOException { HResult: ReadOnlyFileSystemErrno } => "read-only file system",
        _ => e.Message,
    };

    /// <summary>
    /// The line for a file that could not be used: "no space left on the disk holding 'PATH'" for a full disk,
    /// else "<paramref name="action"/> 'PATH': reason" (<see cref="Describe"/>).
    /// </summary>
    public static string Line(string action, string path, Exception e) =>
        e is IOException io && IsDiskFull(io) ? $"no space left on the disk holding '{path}'" : $"{action} '{path}': {Describe(e, path)}";

    /// <summary>The disk is full (ENOSPC, or Windows' disk-full errors).</summary>
    public static bool IsDiskFull(IOException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.HResult is NoSpaceErrno or WindowsDiskFull or WindowsHandleDiskFull;
    }
}
