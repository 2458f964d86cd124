using System.Globalization;
using AsyncFetcher.Core.Parsing;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// The rules of one site's robots.txt that apply to our crawler, parsed as RFC 9309 describes.
/// Immutable, so one instance can be shared by every worker crawling the host.
/// </summary>
internal sealed class RobotsTxt
{
    /// <summary>RFC 9309 section 2.5: a crawler must parse at least 500 KiB; we parse exactly that much.</summary>
    internal const int MaxParsedBytes = 500 * 1024;

    private const string RobotsPath = "/robots.txt";

    // Whole seconds TimeSpan can hold, less one so that rounding a double cannot overflow it.
    private const double MaxDelaySeconds = (long.MaxValue / TimeSpan.TicksPerSecond) - 1;

    // Ordered by length, longest first, with Allow before Disallow at equal length,
    // so the first match is the most specific one and ties go to Allow.
    private readonly RobotsRule[] rules;

    private RobotsTxt(RobotsRule[] rules, TimeSpan? crawlDelay, IReadOnlyList<string> sitemaps)
    {
        this.rules = rules;
        CrawlDelay = crawlDelay;
        Sitemaps = sitemaps;
    }

    /// <summary>For a robots.txt that is missing or answers 4xx: everything may be crawled.</summary>
    public static RobotsTxt AllowAll { get; } = new([], null, []);

    /// <summary>For a robots.txt that answers 5xx or cannot be reached: nothing may be crawled.</summary>
    public static RobotsTxt DisallowAll { get; } = new([new RobotsRule("/", isAllow: false)], null, []);

    /// <summary>The <c>Crawl-delay</c> of the group that applies to us, if it has one.</summary>
    public TimeSpan? CrawlDelay { get; }

    /// <summary>The <c>Sitemap</c> URLs, wherever they appear in the file, without duplicates.</summary>
    public IReadOnlyList<string> Sitemaps { get; }

    /// <summary>The rules that apply to us, most specific first.</summary>
    internal IReadOnlyList<RobotsRule> Rules => rules;

    /// <summary>
    /// Parses <paramref name="content"/> for the crawler named <paramref name="userAgentToken"/>
    /// (<c>asyncfetch</c>; anything from a <c>/</c> or a space on, as in <c>asyncfetch/1.0</c>, is ignored).
    /// Never throws on bad content: lines it does not understand are skipped.
    /// </summary>
    public static RobotsTxt Parse(string content, string userAgentToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(userAgentToken);
        ReadOnlySpan<char> ourToken = ProductToken(userAgentToken);
        if (ourToken.IsEmpty || ourToken is "*")
        {
            throw new ArgumentException("The user-agent token must name the crawler.", nameof(userAgentToken));
        }

        var ours = new List<RobotsRule>();
        var global = new List<RobotsRule>();
        var sitemaps = new List<string>();
        TimeSpan? ourDelay = null;
        TimeSpan? globalDelay = null;
        bool anyOurGroup = false;
        bool anyGlobalGroup = false;

        // Whether the group being read names us, names '*', and whether it is still in its User-agent lines.
        bool groupIsOurs = false;
        bool groupIsGlobal = false;
        bool readingAgents = false;

        ReadOnlySpan<char> text = Truncate(content);
        foreach (Range lineRange in text.SplitAny('\r', '\n'))
        {
            if (!TrySplitLine(text[lineRange], out ReadOnlySpan<char> key, out ReadOnlySpan<char> value))
            {
                continue;
            }

            if (key.Equals("user-agent", StringComparison.OrdinalIgnoreCase))
            {
                // A User-agent line after a rule starts a new group; consecutive ones share a group.
                if (!readingAgents)
                {
                    groupIsOurs = groupIsGlobal = false;
                    readingAgents = true;
                }

                ReadOnlySpan<char> token = ProductToken(value);
                if (token is "*")
                {
                    groupIsGlobal = anyGlobalGroup = true;
                }
                else if (token.Equals(ourToken, StringComparison.OrdinalIgnoreCase))
                {
                    groupIsOurs = anyOurGroup = true;
                }
            }
            else if (key.Equals("allow", StringComparison.OrdinalIgnoreCase) is var isAllow
                && (isAllow || key.Equals("disallow", StringComparison.OrdinalIgnoreCase)))
            {
                readingAgents = false;

                // An empty value ("Disallow:") is a rule that matches nothing.
                if (value.IsEmpty || !(groupIsOurs || groupIsGlobal))
                {
                    continue;
                }

                var rule = new RobotsRule(value.ToString(), isAllow);
                if (groupIsOurs)
                {
                    ours.Add(rule);
                }

                if (groupIsGlobal)
                {
                    global.Add(rule);
                }
            }
            else if (key.Equals("crawl-delay", StringComparison.OrdinalIgnoreCase))
            {
                // Not in RFC 9309, but a member of its group like a rule, so it also ends the User-agent lines.
                readingAgents = false;
                if (TryParseDelay(value, out TimeSpan delay))
                {
                    // Several matching groups merge; the longest delay is the one that satisfies them all.
                    if (groupIsOurs)
                    {
                        ourDelay = Max(ourDelay, delay);
                    }

                    if (groupIsGlobal)
                    {
                        globalDelay = Max(globalDelay, delay);
                    }
                }
            }
            else if (key.Equals("sitemap", StringComparison.OrdinalIgnoreCase))
            {
                // Sitemap lines belong to no group (RFC 9309 section 2.3.5), so they do not end one either.
                string sitemap = value.ToString();
                if (sitemap.Length != 0 && !sitemaps.Contains(sitemap))
                {
                    sitemaps.Add(sitemap);
                }
            }
        }

        // Our own groups replace the '*' groups entirely; with neither, no rule applies (section 2.2.1).
        List<RobotsRule> chosen = anyOurGroup ? ours : anyGlobalGroup ? global : [];
        TimeSpan? chosenDelay = anyOurGroup ? ourDelay : globalDelay;
        RobotsRule[] rules = [.. chosen];
        Array.Sort(rules, static (a, b) => a.Length != b.Length ? b.Length.CompareTo(a.Length) : b.IsAllow.CompareTo(a.IsAllow));
        return new RobotsTxt(rules, chosenDelay, sitemaps.AsReadOnly());
    }

    /// <summary>
    /// Whether we may fetch <paramref name="pathAndQuery"/> (as <see cref="Uri.PathAndQuery"/> gives it).
    /// The most specific matching rule decides, Allow winning a tie; no matching rule means allowed.
    /// </summary>
    public bool IsAllowed(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        string path = pathAndQuery.Length == 0 ? "/" : PercentEncoding.Normalize(pathAndQuery, escapeRawChars: true);

        // RFC 9309 section 2.2.2: /robots.txt itself is always allowed.
        ReadOnlySpan<char> pathOnly = path.AsSpan();
        int query = pathOnly.IndexOf('?');
        if ((query < 0 ? pathOnly : pathOnly[..query]) is RobotsPath)
        {
            return true;
        }

        foreach (RobotsRule rule in rules)
        {
            if (rule.Matches(path))
            {
                return rule.IsAllow;
            }
        }

        return true;
    }

    /// <summary>
    /// Cuts the content to <see cref="MaxParsedBytes"/> of UTF-8, dropping a leading BOM and the
    /// line the limit falls in, so a rule cut short (<c>Disallow: /private</c> as <c>Disallow: /</c>) is never read.
    /// </summary>
    private static ReadOnlySpan<char> Truncate(string content)
    {
        ReadOnlySpan<char> text = content.AsSpan();
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        // No char takes more than three UTF-8 bytes (a surrogate pair takes four for two chars).
        if (text.Length <= MaxParsedBytes / 3)
        {
            return text;
        }

        int bytes = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bytes += c < 0x80 ? 1 : c < 0x800 || char.IsSurrogate(c) ? 2 : 3;
            if (bytes > MaxParsedBytes)
            {
                int lastBreak = text[..i].LastIndexOfAny('\r', '\n');
                return lastBreak < 0 ? [] : text[..lastBreak];
            }
        }

        return text;
    }

    /// <summary>Splits <c>key: value # comment</c>; false for blank, comment-only and colon-less lines.</summary>
    private static bool TrySplitLine(ReadOnlySpan<char> line, out ReadOnlySpan<char> key, out ReadOnlySpan<char> value)
    {
        int comment = line.IndexOf('#');
        if (comment >= 0)
        {
            line = line[..comment];
        }

        int colon = line.IndexOf(':');
        if (colon < 0)
        {
            key = value = default;
            return false;
        }

        key = line[..colon].Trim();
        value = line[(colon + 1)..].Trim();
        return !key.IsEmpty;
    }

    /// <summary>
    /// The product token of a User-agent value: the text before any <c>/</c> or whitespace, so that
    /// <c>asyncfetch/1.0</c> and <c>asyncfetch (+https://…)</c> both name <c>asyncfetch</c>.
    /// </summary>
    private static ReadOnlySpan<char> ProductToken(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        int end = value.IndexOfAny("/ \t");
        return end < 0 ? value : value[..end];
    }

    // Seconds, possibly fractional ("0.5"); signs, exponents and non-numbers are ignored.
    private static bool TryParseDelay(ReadOnlySpan<char> value, out TimeSpan delay)
    {
        if (!double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double seconds)
            || !double.IsFinite(seconds))
        {
            delay = default;
            return false;
        }

        // An absurd delay is kept as the longest one representable; capping it is the crawl's policy, not the parser's.
        delay = seconds >= MaxDelaySeconds ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);
        return true;
    }

    private static TimeSpan Max(TimeSpan? current, TimeSpan candidate) =>
        current is { } c && c > candidate ? c : candidate;
}
