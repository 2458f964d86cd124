namespace AsyncFetcher.Core.Scheduling;

// Interim version: replaced by the RFC 9309 parser from the parse branch.
internal sealed class RobotsTxt
{
    private readonly List<string> disallow;

    private RobotsTxt(List<string> disallow) => this.disallow = disallow;

    public static RobotsTxt AllowAll { get; } = new([]);

    public static RobotsTxt DisallowAll { get; } = new(["/"]);

    public TimeSpan? CrawlDelay { get; }

    public IReadOnlyList<string> Sitemaps { get; } = [];

    public static RobotsTxt Parse(string content, string userAgentToken)
    {
        var rules = new List<string>();
        foreach (var line in content.Split('\n'))
        {
            var l = line.Trim();
            if (l.StartsWith("Disallow:", StringComparison.OrdinalIgnoreCase) && l.Length > 9)
            {
                rules.Add(l[9..].Trim());
            }
        }
        return new RobotsTxt(rules);
    }

    public bool IsAllowed(string pathAndQuery) => !disallow.Exists(d => d.Length > 0 && pathAndQuery.StartsWith(d, StringComparison.Ordinal));
}
