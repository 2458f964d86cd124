namespace AsyncFetcher.Core.Output;

/// <summary>A file the crawl writes besides the records (the WARC) could not be written; says which, so the one line a user reads names it.</summary>
public sealed class OutputFileException : IOException
{
    public OutputFileException(string path, IOException inner)
        : base(inner?.Message, inner)
    {
        Path = path;
    }

    public OutputFileException()
    {
        Path = "";
    }

    public OutputFileException(string message)
        : base(message)
    {
        Path = "";
    }

    public OutputFileException(string message, Exception inner)
        : base(message, inner)
    {
        Path = "";
    }

    /// <summary>The file.</summary>
    public string Path { get; }
}
