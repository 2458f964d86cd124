namespace AsyncFetcher.Testing;

/// <summary>A directory of one test's own, deleted with it: a field of the test class, disposed by its Dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    /// <param name="purpose">A word for the directory's name (asyncfetch-PURPOSE-random), to tell whose it is.</param>
    public TempDirectory(string purpose) => Path = Directory.CreateTempSubdirectory($"asyncfetch-{purpose}-").FullName;

    /// <summary>The directory's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of <paramref name="name"/> in the directory.</summary>
    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes <paramref name="content"/> to <paramref name="name"/> in the directory; its full path.</summary>
    public string Write(string name, string content)
    {
        var path = File(name);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
