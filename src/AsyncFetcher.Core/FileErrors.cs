namespace AsyncFetcher.Core;

/// <summary>File errors in a user's words, for the one line a failure ends in.</summary>
public static class FileErrors
{
    /// <summary>"no such file", "no such directory", "permission denied", or the exception's own message.</summary>
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such directory",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
