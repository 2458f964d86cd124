namespace AsyncFetcher.Testing;

/// <summary>Files of the repository the tests were built from, found by walking up to AsyncFetcher.sln.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "AsyncFetcher.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"AsyncFetcher.sln not found above {AppContext.BaseDirectory}");
    }
}
