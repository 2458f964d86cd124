using System.CommandLine;
using System.Globalization;
using AsyncFetcher.Core;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// The crawl flags, each mapped onto a <see cref="CrawlOptions"/> key. Values are taken as text and
/// checked here, so a bad value gets one line naming the flag and what it accepts, not a parser dump.
/// Flags left out leave the configuration (appsettings.json, then environment) in force.
/// </summary>
internal sealed class CrawlFlags
{
    private readonly List<(Option Option, string Key, FlagKind Kind)> flags = [];

    public CrawlFlags()
    {
        var d = new CrawlOptions();
        Add("--max", nameof(CrawlOptions.Max), FlagKind.Int, $"Most requests in flight at once (1-10000; default {d.Max})");
        Add("--max-per-host", nameof(CrawlOptions.MaxPerHost), FlagKind.Int, "Most requests in flight to one host (default: same as --max)");
        Add("--timeout", nameof(CrawlOptions.Timeout), FlagKind.Duration, "Timeout of one attempt: 500ms, 10s, 2m or seconds (default 30s)");
        Add("--total-timeout", nameof(CrawlOptions.TotalTimeout), FlagKind.Duration, "Budget for one URL over all attempts and waits (default: timeout x (retries+1) + per retry the longer of backoff and --max-retry-after)");
        Add("--retries", nameof(CrawlOptions.Retries), FlagKind.Int, $"Retries on 408, 429, 5xx and network errors (default {d.Retries})");
        Add("--retry-delay", nameof(CrawlOptions.RetryDelay), FlagKind.Duration, "First retry backoff, doubling after (default 1s)");
        Add("--max-retry-after", nameof(CrawlOptions.MaxRetryAfter), FlagKind.Duration, "Longest Retry-After honoured (default 60s)");
        Add("--user-agent", nameof(CrawlOptions.UserAgent), FlagKind.Text, "User-Agent header (default asyncfetch/<version>)");
        Add("--depth", nameof(CrawlOptions.Depth), FlagKind.Int, $"Links to follow away from the seeds; 0 = seeds only (default {d.Depth})");
        Add("--max-pages", nameof(CrawlOptions.MaxPages), FlagKind.Long, "Most pages to fetch, exactly; 0 = unlimited (default 0)");
        Add("--scope", nameof(CrawlOptions.Scope), FlagKind.Scope, "Links followed: host, domain or any (default host)");
        Add("--include", nameof(CrawlOptions.Include), FlagKind.List, "Follow only URLs matching this regex (repeatable)");
        Add("--exclude", nameof(CrawlOptions.Exclude), FlagKind.List, "Do not follow URLs matching this regex (repeatable)");
        Add("--max-url-length", nameof(CrawlOptions.MaxUrlLength), FlagKind.Int, $"Longer URLs are not followed (default {d.MaxUrlLength})");
        Add("--max-query-variants", nameof(CrawlOptions.MaxQueryVariants), FlagKind.Int, $"Distinct query strings followed per path (default {d.MaxQueryVariants})");
        Add("--sort-query", nameof(CrawlOptions.SortQuery), FlagKind.Switch, "Sort query parameters so reordered queries are one URL");
        Add("--no-robots", nameof(CrawlOptions.Robots), FlagKind.InverseSwitch, "Do not fetch or obey robots.txt");
        Add("--max-crawl-delay", nameof(CrawlOptions.MaxCrawlDelay), FlagKind.Duration, "Longest robots.txt Crawl-delay honoured (default 10s)");
        Add("--delay", nameof(CrawlOptions.Delay), FlagKind.Duration, "Minimum interval between requests to one host (default 0)");
        Add("--max-redirects", nameof(CrawlOptions.MaxRedirects), FlagKind.Int, $"Redirects followed per URL (default {d.MaxRedirects})");
        Add("--follow-nofollow", nameof(CrawlOptions.FollowNofollow), FlagKind.Switch, "Follow links marked rel=\"nofollow\"");
        Add("--max-body", nameof(CrawlOptions.MaxBody), FlagKind.Size, "Largest body read: bytes or 512KiB, 10MiB (default 10MiB)");
        Add("--grace", nameof(CrawlOptions.Grace), FlagKind.Duration, "After Ctrl+C, time in-flight requests get to finish (default 5s)");
        Add("--output", nameof(CrawlOptions.Output), FlagKind.Text, "Write records to FILE (default: standard output)", "-o");
        Add("--format", nameof(CrawlOptions.Format), FlagKind.Format, "Record format: jsonl or csv (default jsonl)");
        // Resilience and bodies (issue 5).
        Add("--breaker-ratio", nameof(CrawlOptions.BreakerFailureRatio), FlagKind.Ratio, $"Share of failed attempts to a host that opens its circuit breaker, 0-1 (default {d.BreakerFailureRatio.ToString(CultureInfo.InvariantCulture)})");
        Add("--breaker-min-attempts", nameof(CrawlOptions.BreakerMinimumThroughput), FlagKind.Int, $"Attempts to a host before its breaker may open (default {d.BreakerMinimumThroughput})");
        Add("--breaker-pause", nameof(CrawlOptions.BreakerDuration), FlagKind.Duration, "How long an open breaker pauses a host (default 30s)");
        Add("--save", nameof(CrawlOptions.Save), FlagKind.Text, "Write each 2xx body under DIR as DIR/host[_port]/path (default: not saved)");
        Config = new Option<string>("--config") { Description = "Another JSON settings file, over appsettings.json" };
        Quiet = new Option<bool>("--quiet", "-q") { Description = "Only warnings and errors on standard error" };
    }

    public Option<string> Config { get; }

    public Option<bool> Quiet { get; }

    public void AddTo(Command command)
    {
        foreach (var (option, _, _) in flags)
        {
            command.Options.Add(option);
        }
        command.Options.Add(Config);
        command.Options.Add(Quiet);
    }

    /// <summary>The configuration keys the given flags set; the first bad value is returned as an error line instead.</summary>
    public Dictionary<string, string?> ToConfiguration(ParseResult parse, out string? error)
    {
        var values = new Dictionary<string, string?>();
        error = null;
        foreach (var (option, key, kind) in flags)
        {
            var name = option.Name;
            var path = $"{CrawlOptions.Section}:{key}";
            switch (kind)
            {
                case FlagKind.Switch:
                    if (parse.GetValue((Option<bool>)option))
                    {
                        values[path] = "true";
                    }
                    continue;
                case FlagKind.InverseSwitch:
                    if (parse.GetValue((Option<bool>)option))
                    {
                        values[path] = "false";
                    }
                    continue;
                case FlagKind.List:
                    var items = parse.GetValue((Option<string[]>)option) ?? [];
                    for (var i = 0; i < items.Length; i++)
                    {
                        values[$"{path}:{i}"] = items[i];
                    }
                    continue;
            }
            var text = parse.GetValue((Option<string>)option);
            if (text is null)
            {
                continue;
            }
            var converted = Convert(kind, text);
            if (converted is null)
            {
                error ??= $"{name}: '{text}' is not {Expected(kind)}";
                continue;
            }
            values[path] = converted;
        }
        return values;
    }

    private void Add(string name, string key, FlagKind kind, string description, string? alias = null)
    {
        Option option = kind switch
        {
            FlagKind.Switch or FlagKind.InverseSwitch => new Option<bool>(name) { Description = description },
            FlagKind.List => new Option<string[]>(name) { Description = description, AllowMultipleArgumentsPerToken = false },
            _ => alias is null ? new Option<string>(name) { Description = description } : new Option<string>(name, alias) { Description = description },
        };
        flags.Add((option, key, kind));
    }

    private static string? Convert(FlagKind kind, string text) => kind switch
    {
        FlagKind.Int => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Long => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Duration => Units.TryParseDuration(text, out var t) ? t.ToString("c", CultureInfo.InvariantCulture) : null,
        FlagKind.Size => Units.TryParseSize(text, out var s) ? s.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Ratio => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && double.IsFinite(r) ? r.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Scope => Enum.TryParse<CrawlScope>(text, ignoreCase: true, out var scope) && Enum.IsDefined(scope) && !char.IsDigit(text[0]) ? scope.ToString() : null,
        FlagKind.Format => Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && Enum.IsDefined(format) && !char.IsDigit(text[0]) ? format.ToString() : null,
        _ => text,
    };

    private static string Expected(FlagKind kind) => kind switch
    {
        FlagKind.Int or FlagKind.Long => "a whole number",
        FlagKind.Duration => "a duration such as 500ms, 10s, 2m or a number of seconds",
        FlagKind.Size => "a size such as 65536, 512KiB or 10MiB",
        FlagKind.Ratio => "a number such as 0.5",
        FlagKind.Scope => "one of host, domain, any",
        FlagKind.Format => "one of jsonl, csv",
        _ => "valid",
    };

    private enum FlagKind
    {
        Int,
        Long,
        Duration,
        Size,
        Text,
        Scope,
        Format,
        Switch,
        InverseSwitch,
        List,
        Ratio,
    }
}
