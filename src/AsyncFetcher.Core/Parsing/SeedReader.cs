namespace AsyncFetcher.Core.Parsing;

/// <summary>
/// Reads seed URLs, one per line: blank lines and '#' comments are skipped, anything that is not
/// an absolute http(s) URL is reported with its file and line and skipped, with a hint when it
/// looks like a URL without its scheme; words after the URL on its line are reported and ignored.
/// </summary>
public static class SeedReader
{
    private static readonly char[] Blanks = [' ', '\t'];

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

    /// <summary>
    /// Parses one URL given on the command line or in a file; <paramref name="where"/> names it in the warning
    /// ("urls.txt:3", "argument 2"). Words after the URL (a URL holds no blank) are not part of it: they are
    /// reported, not crawled as <c>%20</c>-encoded path.
    /// </summary>
    public static SeedLine Parse(string text, string where, int maxUrlLength)
    {
        ArgumentNullException.ThrowIfNull(text);
        var words = text.Trim().Split(Blanks, 2, StringSplitOptions.RemoveEmptyEntries);
        var candidate = words.Length > 0 ? words[0] : "";
        if (UrlNormalizer.TryNormalize(candidate, sortQuery: false, maxUrlLength, out var url, keepPassword: true))
        {
            return new SeedLine(url, words.Length > 1 ? $"{where}: ignored '{Shorten(UrlRedaction.RedactText(words[1].Trim()))}' after the URL (a URL has no spaces; write one per line)" : null);
        }
        var reason = Uri.TryCreate(candidate, UriKind.Absolute, out var any) && any.Scheme is not ("http" or "https") && candidate.Contains("://", StringComparison.Ordinal)
            ? $"unsupported scheme '{any.Scheme}' (only http and https are fetched)"
            : candidate.Length > maxUrlLength ? $"URL longer than {maxUrlLength} characters" : "not an absolute http(s) URL" + (Hint(candidate) is { } hint ? $" ({hint})" : "");
        return new SeedLine(null, $"{where}: skipped '{Shorten(UrlRedaction.RedactText(text))}': {reason}");
    }

    /// <summary>"did you mean http://www.example.org/page?" for text that is a URL but for its scheme; else null.</summary>
    public static string? Hint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains("://", StringComparison.Ordinal) || text.StartsWith('/') || text.StartsWith('.'))
        {
            return null;
        }
        // A host name before a path, or a www. name: "urls.txt" alone is more likely a file.
        var guess = "http://" + text;
        var looksLikeHost = text.StartsWith("www.", StringComparison.OrdinalIgnoreCase) || text.Split('/', 2) is [var first, _] && first.Contains('.', StringComparison.Ordinal);
        return looksLikeHost && Uri.TryCreate(guess, UriKind.Absolute, out var uri) && uri.Host.Length > 0 && !uri.Host.EndsWith('.')
            ? $"did you mean {guess}?"
            : null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

/// <summary>A seed line: a URL, or why it was skipped; or a URL with a warning about the rest of its line.</summary>
/// <param name="Url">The normalised URL; null when the line was skipped.</param>
/// <param name="Warning">Why the line was skipped, or what of it was ignored, naming file and line; null when it was all a URL.</param>
public sealed record SeedLine(Uri? Url, string? Warning);
