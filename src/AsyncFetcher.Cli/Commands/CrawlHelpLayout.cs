namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// How <c>crawl --help</c> groups its options, and what a zero default means to a user, as one table: a new
/// option joins it with one row, naming its section (and, if 0 means something, what). An option without a
/// row is shown under "Other options", and <c>Every_flag_has_a_help_section</c> fails until it has one.
/// </summary>
internal static class CrawlHelpLayout
{
    /// <summary>The sections, in the order help shows them.</summary>
    public static readonly IReadOnlyList<string> Sections =
        ["What to crawl", "How fast", "Limits", "Resilience", "Output", "State", "Distributed", "Other options"];

    /// <summary>Each flag's section, and what its default of 0 (a number or a duration) means; null when 0 is just 0.</summary>
    private static readonly (string Flag, string Section, string? Zero)[] Rows =
    [
        ("--depth", "What to crawl", "only the seeds"),
        ("--scope", "What to crawl", null),
        ("--include", "What to crawl", null),
        ("--exclude", "What to crawl", null),
        ("--no-robots", "What to crawl", null),
        ("--follow-nofollow", "What to crawl", null),
        ("--max-redirects", "What to crawl", null),
        ("--max-url-length", "What to crawl", null),
        ("--max-query-variants", "What to crawl", null),
        ("--sort-query", "What to crawl", null),
        ("--user-agent", "What to crawl", null),
        ("--sitemaps", "What to crawl", null),
        ("--allow-private", "What to crawl", null),
        ("--send-url-credentials", "What to crawl", null),
        ("--max", "How fast", null),
        ("--max-per-host", "How fast", "same as --max"),
        ("--delay", "How fast", "none"),
        ("--max-crawl-delay", "How fast", "none"),
        ("--auto-throttle", "How fast", null),
        ("--max-pages", "Limits", "no limit"),
        ("--deadline", "Limits", "none"),
        ("--max-body", "Limits", null),
        ("--timeout", "Limits", null),
        ("--total-timeout", "Limits", "automatic"),
        ("--min-rate", "Limits", null),
        ("--max-links-per-page", "Limits", "no limit"),
        ("--retries", "Resilience", "none"),
        ("--retry-delay", "Resilience", "none"),
        ("--max-retry-after", "Resilience", "none"),
        ("--breaker-ratio", "Resilience", null),
        ("--breaker-min-attempts", "Resilience", null),
        ("--breaker-pause", "Resilience", null),
        ("--output", "Output", null),
        ("--format", "Output", null),
        ("--save", "Output", null),
        ("--summary-json", "Output", null),
        ("--report", "Output", null),
        ("--progress-interval", "Output", "never"),
        ("--quiet", "Output", null),
        ("--warc", "Output", null),
        ("--warc-max-size", "Output", "one file"),
        ("--state", "State", null),
        ("--fresh", "State", null),
        ("--grace", "State", "none"),
        ("--recrawl", "State", null),
        ("--recrawl-after", "State", "all"),
        ("--frontier", "Distributed", null),
        ("--crawl-id", "Distributed", null),
        ("--worker-id", "Distributed", null),
        ("--lease", "Distributed", null),
        ("--frontier-timeout", "Distributed", null),
        ("--config", "Other options", null),
    ];

    /// <summary>The section <paramref name="flag"/> is shown in; null when the table has no row for it.</summary>
    public static string? SectionOf(string flag) => Rows.FirstOrDefault(r => r.Flag == flag).Section;

    /// <summary>Where <paramref name="flag"/> comes in its section: its row's place in the table (flags without a row last).</summary>
    public static int OrderOf(string flag)
    {
        var row = Array.FindIndex(Rows, r => r.Flag == flag);
        return row < 0 ? Rows.Length : row;
    }

    /// <summary>What a default of 0 means for <paramref name="flag"/> ("none", "no limit", "automatic"); null when 0 is just 0.</summary>
    public static string? WhenZero(string flag) => Rows.FirstOrDefault(r => r.Flag == flag).Zero;
}
