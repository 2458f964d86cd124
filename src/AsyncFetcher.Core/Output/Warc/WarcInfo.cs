using System.Text;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>The fields of the warcinfo record that opens each WARC file: the tool and its version, the format, how the crawl was run.</summary>
internal static class WarcInfo
{
    public const string ConformsTo = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/";

    /// <summary>The warcinfo block (application/warc-fields).</summary>
    /// <param name="commandLine">The command's arguments, passwords in URLs already masked; null when not run from a command line.</param>
    public static string Fields(CrawlOptions options, IReadOnlyList<string>? commandLine)
    {
        var version = typeof(WarcInfo).Assembly.GetName().Version?.ToString(3) ?? "0";
        var fields = new StringBuilder()
            .Field("software", $"asyncfetch/{version}")
            .Field("format", "WARC File Format 1.1")
            .Field("conformsTo", ConformsTo);
        if (commandLine is not null)
        {
            fields.Field("command-line", string.Join(' ', commandLine.Select(Quote)));
        }
        return fields
            .Field("robots", options.Robots ? "obey" : "ignore")
            .Field("http-header-user-agent", options.UserAgent)
            .ToString();
    }

    /// <summary>An argument as a shell would need it: quoted when it holds a space, a quote or nothing; line ends (which would break the field) escaped.</summary>
    private static string Quote(string argument)
    {
        var text = argument.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return text.Length == 0 || text.AsSpan().IndexOfAny(" \t'\"\\$") >= 0 ? "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : text;
    }
}
