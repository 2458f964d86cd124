namespace AsyncFetcher.Core.Output;

/// <summary>A file the crawl writes besides the records (the WARC) could not be written; says which, so the one line a user reads names it.</summary>
public sealed class OutputFileException : IOException
{
    public OutputFileException(string path, IOException inner)
        : base(Reason(inner), inner)
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

    /// <summary>The system's reason, without the path it appends (" : '/path'"): the line names the file already.</summary>
    private static string? Reason(IOException? inner)
    {
        var message = inner?.Message;
        var path = message?.LastIndexOf(" : '", StringComparison.Ordinal) ?? -1;
        return path > 0 && message!.EndsWith('\'') ? message[..path] : message;
    }
}
