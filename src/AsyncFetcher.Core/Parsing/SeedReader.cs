namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads seed URLs, one per line: blank lines and '#' comments are skipped, anything that is not
/// an absolute http(s) URL is reported with its file and line and skipped.
/// </summary>
public static class SeedReader
{
    /// <summary>Reads every line of <paramref name="reader"/>; <paramref name="source"/> names it in warnings (a path, or "stdin").</summary>
    public static async IAsyncEnumerable<SeedLine> ReadAsync(TextReader reader, string source, int maxUrlLength,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            number++;
            var text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
            {
                continue;
            }
            yield return Parse(text, $"{source}:{number}", maxUrlLength);
        }
    }

    /// <summary>Parses one URL given on the command line or in a file; <paramref name="where"/> names it in the warning.</summary>
    public static SeedLine Parse(string text, string where, int maxUrlLength)
    {
        if (UrlNormalizer.TryNormalize(text, sortQuery: false, maxUrlLength, out var url, keepPassword: true))
        {
            return new SeedLine(url, null);
        }
        var reason = Uri.TryCreate(text, UriKind.Absolute, out var any) && any.Scheme is not ("http" or "https")
            ? $"unsupported scheme '{any.Scheme}' (only http and https are fetched)"
            : text.Length > maxUrlLength ? $"URL longer than {maxUrlLength} characters" : "not an absolute http(s) URL";
        return new SeedLine(null, $"{where}: skipped '{Shorten(UrlRedaction.RedactText(text))}': {reason}");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

/// <summary>A seed line: a URL, or the warning that says why it was skipped.</summary>
/// <param name="Url">The normalised URL; null when the line was skipped.</param>
/// <param name="Warning">Why the line was skipped, naming file and line.</param>
public sealed record SeedLine(Uri? Url, string? Warning);
