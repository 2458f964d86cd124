// Over 300 lines: the table of every crawl flag (one line each, ~50 flags) and the binder that reads it; splitting the table would scatter it.
using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using AsyncFetcher.Core;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// The crawl flags, each mapped onto a <see cref="CrawlOptions"/> key. Values are taken as text and
/// checked here, so a bad value gets one line naming the flag and what it accepts, not a parser dump.
/// Flags left out leave the configuration (appsettings.json, then environment) in force.
/// </summary>
internal sealed class CrawlFlags
{
    /// <summary>
    /// Each flag's description with its default, made when help or the docs table asks (<see cref="DescriptionOf"/>):
    /// the defaults are read by reflection, which a crawl's start-up need not pay for.
    /// </summary>
    private static readonly ConditionalWeakTable<Option, Lazy<string>> Described = [];
    private readonly List<(Option Option, string Key, FlagKind Kind)> flags = [];

    /// <summary>Each flag's value as the user typed it, so a message about it can echo it as typed (<c>-1</c>, not <c>-00:00:01</c>).</summary>
    private readonly Dictionary<string, string> typed = new(StringComparer.Ordinal);

    public CrawlFlags()
    {
        Add("--max", nameof(CrawlOptions.Max), FlagKind.Int, "Most requests in flight at once, over all hosts (not a page limit; see --max-pages), 1-10000");
        Alias("--max", "--concurrency", "-c");
        Add("--max-per-host", nameof(CrawlOptions.MaxPerHost), FlagKind.Int, "Most requests in flight to one host; 0 = same as --max");
        Add("--timeout", nameof(CrawlOptions.Timeout), FlagKind.Duration, "Time one HTTP attempt may take: 500ms, 10s, 2m, or seconds");
        Add("--total-timeout", nameof(CrawlOptions.TotalTimeout), FlagKind.Duration, "Time one URL may take over all its attempts and waits; 0 = timeout x (retries+1) + per retry the longer of its backoff and --max-retry-after");
        Add("--retries", nameof(CrawlOptions.Retries), FlagKind.Int, "Retries after the first attempt, on 408, 429, 5xx and network errors (0-100)");
        Add("--retry-delay", nameof(CrawlOptions.RetryDelay), FlagKind.Duration, "Backoff before the first retry; it doubles for each next one, with jitter");
        Add("--max-retry-after", nameof(CrawlOptions.MaxRetryAfter), FlagKind.Duration, "Longest Retry-After honoured; a longer one gives up on the URL");
        Add("--user-agent", nameof(CrawlOptions.UserAgent), FlagKind.Text, "User-Agent header; its first word is matched against robots.txt", helpName: "text");
        Add("--depth", nameof(CrawlOptions.Depth), FlagKind.Int, "Links followed away from the seeds; 0 = fetch only the seeds");
        Add("--max-pages", nameof(CrawlOptions.MaxPages), FlagKind.Long, "Most pages fetched in the whole crawl, exactly; 0 = no limit");
        Add("--scope", nameof(CrawlOptions.Scope), FlagKind.Scope, "Links followed: host (the seed's host), domain (its registrable domain) or any");
        Add("--include", nameof(CrawlOptions.Include), FlagKind.List, "Follow only URLs matching this regular expression (repeatable)");
        Add("--exclude", nameof(CrawlOptions.Exclude), FlagKind.List, "Do not follow URLs matching this regular expression (repeatable)");
        Add("--max-url-length", nameof(CrawlOptions.MaxUrlLength), FlagKind.Int, "Longer URLs, in characters, are not followed");
        Add("--max-query-variants", nameof(CrawlOptions.MaxQueryVariants), FlagKind.Int, "Distinct query strings followed per path of a host; ends calendar traps");
        Add("--sort-query", nameof(CrawlOptions.SortQuery), FlagKind.Switch, "Sort query parameters, so reordered queries count as one URL");
        Add("--no-robots", nameof(CrawlOptions.Robots), FlagKind.InverseSwitch, "Do not fetch or obey robots.txt");
        Add("--max-crawl-delay", nameof(CrawlOptions.MaxCrawlDelay), FlagKind.Duration, "Longest robots.txt Crawl-delay honoured");
        Add("--delay", nameof(CrawlOptions.Delay), FlagKind.Duration, "Minimum time between two requests to one host, timed from the answer to the first (so one at a time)");
        Add("--auto-throttle", nameof(CrawlOptions.AutoThrottle), FlagKind.OnOff, "Adapt each host's concurrency and delay to its latency and its 429/503 answers (AIMD), within --max-per-host, --delay and Crawl-delay: on or off");
        Add("--sitemaps", nameof(CrawlOptions.Sitemaps), FlagKind.Sitemaps, "Read URLs from sitemaps: auto (those robots.txt names, and seeds that are sitemaps), on (also /sitemap.xml when robots.txt names none) or off");
        Add("--max-redirects", nameof(CrawlOptions.MaxRedirects), FlagKind.Int, "Redirects followed for one URL");
        Add("--follow-nofollow", nameof(CrawlOptions.FollowNofollow), FlagKind.Switch, "Also follow links marked rel=\"nofollow\"");
        Add("--max-body", nameof(CrawlOptions.MaxBody), FlagKind.Size, "Largest body read: bytes, or 512KiB, 10MiB; longer bodies are cut and marked truncated. Memory: at most this per page in flight, plus 1 MiB without a Content-Length");
        Add("--grace", nameof(CrawlOptions.Grace), FlagKind.Duration, "After Ctrl+C, time in-flight requests get to finish before they are cancelled");
        Add("--output", nameof(CrawlOptions.Output), FlagKind.Text, "Write records to FILE; empty or - = standard output", "-o", helpName: "file");
        Add("--format", nameof(CrawlOptions.Format), FlagKind.Format, "Record format: jsonl (a JSON object per line) or csv (RFC 4180, with a header row)");
        // What users see: progress, the summary file and the HTML report.
        Add("--progress-interval", nameof(CrawlOptions.ProgressInterval), FlagKind.Duration, "When standard error is not a terminal, log a progress line this often; 0 = never (on a terminal one line is redrawn in place)");
        Add("--summary-json", nameof(CrawlOptions.SummaryJson), FlagKind.Text, "Also write the end summary as JSON to FILE", helpName: "file");
        Add("--report", nameof(CrawlOptions.Report), FlagKind.Text, "Also write a self-contained HTML report (charts, status and host tables) to FILE", helpName: "file");
        // Resume and cancellation.
        Add("--state", nameof(CrawlOptions.State), FlagKind.Text, "Keep the queue, seen and done URLs in this SQLite file; the same command resumes a stopped crawl", helpName: "file");
        Add("--fresh", nameof(CrawlOptions.Fresh), FlagKind.Switch, "Empty the --state file first (refused while another crawl uses it) and start the crawl over");
        Add("--deadline", nameof(CrawlOptions.Deadline), FlagKind.Duration, "Stop the whole crawl gracefully after this long, like a first Ctrl+C, exit 0; 0 = none");
        // Resilience and bodies.
        Add("--breaker-ratio", nameof(CrawlOptions.BreakerFailureRatio), FlagKind.Ratio, "Share of failed attempts to a host (within the sampling window) that opens its circuit breaker, above 0 and at most 1", helpName: "ratio");
        Add("--breaker-min-attempts", nameof(CrawlOptions.BreakerMinimumThroughput), FlagKind.Int, "Attempts to a host within the sampling window before its breaker may open (2 or more)");
        Add("--breaker-pause", nameof(CrawlOptions.BreakerDuration), FlagKind.Duration, "How long an open breaker pauses a host; its URLs wait, then one probe tests it");
        Add("--save", nameof(CrawlOptions.Save), FlagKind.Text, "Write each 2xx body under DIR, as DIR/host[_port]/path (index.html for directory URLs)", helpName: "dir");
        // Safe on the open web: slow servers, huge pages, private networks, secrets in URLs.
        Add("--min-rate", nameof(CrawlOptions.MinRate), FlagKind.Rate, "Slowest a response may arrive once started, as SIZE/DURATION like curl's --speed-limit/--speed-time: less is \"too slow\" (not retried); 0 = no minimum");
        Add("--max-links-per-page", nameof(CrawlOptions.MaxLinksPerPage), FlagKind.Int, "Most links one page adds to the crawl; the rest are counted in the record's note and the summary, not followed; 0 = no limit");
        Add("--allow-private", nameof(CrawlOptions.AllowPrivate), FlagKind.Switch, "Also connect to loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16), CGNAT and other non-public addresses; by default only a seed's own network is allowed");
        Add("--send-url-credentials", nameof(CrawlOptions.SendUrlCredentials), FlagKind.Switch, "Send the user:password of a seed URL as HTTP Basic authentication to its origin (never written out: records show user:***@)");
        // Web archives and re-crawls.
        Add("--warc", nameof(CrawlOptions.Warc), FlagKind.Text, "Also write every request and response, as sent and received, to this WARC 1.1 file (FILE.warc.gz, a gzip member per record)", helpName: "file");
        Add("--warc-max-size", nameof(CrawlOptions.WarcMaxSize), FlagKind.Size, "Start a new WARC file once one reaches this size (FILE-00000.warc.gz, FILE-00001.warc.gz, ...; 1GiB is usual); 0 = one file");
        Add("--recrawl", nameof(CrawlOptions.Recrawl), FlagKind.Switch, "With --state: fetch every known page again, conditionally (If-None-Match, If-Modified-Since); records say \"changed\", links are followed from new and changed pages only");
        Add("--recrawl-after", nameof(CrawlOptions.RecrawlAfter), FlagKind.Duration, "With --recrawl: fetch again only pages last fetched longer ago than this, e.g. 1d; 0 = all");
        // Distributed crawl: a frontier shared by several processes.
        Add("--frontier", nameof(CrawlOptions.Frontier), FlagKind.Text, "Share the crawl with other workers through redis://host:port/db; none = the frontier is in this process", helpName: "url");
        Add("--crawl-id", nameof(CrawlOptions.CrawlId), FlagKind.Text, "Name of the shared crawl; workers with the same id share it", helpName: "name");
        Add("--lease", nameof(CrawlOptions.Lease), FlagKind.Duration, "How long a stopped worker keeps its URLs before others take them (1s-1d)");
        Add("--worker-id", nameof(CrawlOptions.WorkerId), FlagKind.Text, "This worker's name in the shared crawl and in its records; none = hostname-pid", helpName: "name");
        Add("--frontier-timeout", nameof(CrawlOptions.FrontierTimeout), FlagKind.Duration, "How long Redis may be out of reach, at start or mid-crawl, before the crawl gives up with exit 1 (1s-1d)");
        Config = new Option<string>("--config") { Description = "Another JSON settings file, read over appsettings.json", HelpName = "file" };
        Quiet = new Option<bool>("--quiet", "-q") { Description = "Only warnings and errors on standard error: no progress line, no summary" };
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
            typed[name] = text;
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

    /// <summary>
    /// <paramref name="message"/> (a check of the settings that failed, "--delay must be ... (got -00:00:01)") with the
    /// value echoed as the user typed it on the command line, when it names a flag given there.
    /// </summary>
    public string EchoTyped(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var flag = message.Split(' ', 2)[0];
        var got = message.LastIndexOf(" (got ", StringComparison.Ordinal);
        return got >= 0 && message.EndsWith(')') && typed.TryGetValue(flag, out var text) ? $"{message[..got]} (got {text})" : message;
    }

    /// <summary>
    /// Every flag with its setting and that setting's default, as help and the README show them;
    /// --config and --quiet have no setting (Key null).
    /// </summary>
    public IEnumerable<(string Flag, string? Key, string Default, string Description)> Table()
    {
        foreach (var (option, key, kind) in flags)
        {
            yield return (option.Name, key, DefaultText(option.Name, key, kind), DescriptionOf(option));
        }
        yield return (Config.Name, null, "none", Config.Description!);
        yield return (Quiet.Name, null, "off", Quiet.Description!);
    }

    /// <summary>
    /// A setting's default from a fresh <see cref="CrawlOptions"/>, written as the flag takes it, so help and docs cannot
    /// drift from the code, and as users think of it: a switch left out is "off", a 0 that means something says what
    /// (<see cref="CrawlHelpLayout.WhenZero"/>: "none", "no limit", "automatic").
    /// </summary>
    private static string DefaultText(string flag, string key, FlagKind kind)
    {
        var value = typeof(CrawlOptions).GetProperty(key)!.GetValue(new CrawlOptions());
        var zero = value is 0 or 0L || (value is TimeSpan span && span == TimeSpan.Zero) ? CrawlHelpLayout.WhenZero(flag) : null;
        var text = (kind, value) switch
        {
            _ when zero is not null => zero,
            (FlagKind.Switch or FlagKind.InverseSwitch, _) => "off",
            (FlagKind.Duration, TimeSpan t) => Units.FormatDuration(t),
            (FlagKind.Size, long n) => Units.FormatSize(n),
            (FlagKind.Scope or FlagKind.Format or FlagKind.Sitemaps, Enum e) => e.ToString().ToLowerInvariant(),
            (FlagKind.OnOff, bool b) => b ? "on" : "off",
            (FlagKind.List, IList<string> { Count: 0 }) => "none",
            (FlagKind.List, IList<string> list) => string.Join(", ", list),
            (_, string { Length: 0 }) => Empty(key),
            (_, IFormattable f) => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value?.ToString() ?? "none",
        };
        // The User-Agent carries the build's version: show a placeholder, so the docs hold across releases.
        var version = typeof(CrawlOptions).Assembly.GetName().Version?.ToString(3) ?? "0";
        return text.Replace(version, "<version>", StringComparison.Ordinal);
    }

    /// <summary>A flag's description as help shows it: with its default, for a crawl flag that is not a switch.</summary>
    public static string DescriptionOf(Option option) =>
        Described.TryGetValue(option, out var described) ? described.Value : option.Description ?? "";

    /// <summary>What an empty text setting means.</summary>
    private static string Empty(string key) => key == nameof(CrawlOptions.Output) ? "standard output" : "none";

    private void Add(string name, string key, FlagKind kind, string description, string? alias = null, string? helpName = null)
    {
        helpName ??= kind switch
        {
            FlagKind.Int or FlagKind.Long => "n",
            FlagKind.Duration => "duration",
            FlagKind.Size => "size",
            FlagKind.Rate => "size/duration",
            FlagKind.Scope => "host|domain|any",
            FlagKind.Format => "jsonl|csv",
            FlagKind.OnOff => "on|off",
            FlagKind.Sitemaps => "auto|on|off",
            FlagKind.List => "regex",
            FlagKind.Text => "text",
            _ => "value",
        };
        Option option = kind switch
        {
            FlagKind.Switch or FlagKind.InverseSwitch => new Option<bool>(name) { Description = description },
            FlagKind.List => new Option<string[]>(name) { Description = description, HelpName = helpName, AllowMultipleArgumentsPerToken = false },
            _ => alias is null
                ? new Option<string>(name) { Description = description, HelpName = helpName }
                : new Option<string>(name, alias) { Description = description, HelpName = helpName },
        };
        // Switches show no default: leaving them out is the default. Everything else names its default and unit.
        if (kind is not (FlagKind.Switch or FlagKind.InverseSwitch))
        {
            Described.AddOrUpdate(option, new Lazy<string>(() => $"{description} [default: {DefaultText(name, key, kind)}]"));
        }
        // Tab completion (the [suggest] directive) offers the allowed values.
        if (kind is FlagKind.Scope)
        {
            option.CompletionSources.Add("host", "domain", "any");
        }
        else if (kind is FlagKind.Format)
        {
            option.CompletionSources.Add("jsonl", "csv");
        }
        else if (kind is FlagKind.OnOff)
        {
            option.CompletionSources.Add("on", "off");
        }
        else if (kind is FlagKind.Sitemaps)
        {
            option.CompletionSources.Add("auto", "on", "off");
        }
        flags.Add((option, key, kind));
    }

    /// <summary>Gives the flag <paramref name="name"/> more names: <c>--max</c> is also <c>--concurrency</c> and <c>-c</c>.</summary>
    private void Alias(string name, params string[] aliases)
    {
        var option = flags.Single(f => f.Option.Name == name).Option;
        foreach (var alias in aliases)
        {
            option.Aliases.Add(alias);
        }
    }

    private static string? Convert(FlagKind kind, string text) => kind switch
    {
        FlagKind.Int => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Long => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Duration => Units.TryParseDuration(text, out var t) ? t.ToString("c", CultureInfo.InvariantCulture) : null,
        FlagKind.Size => Units.TryParseSize(text, out var s) ? s.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Rate => TransferRate.TryParse(text, out var rate) ? rate.Value.ToString() : null,
        FlagKind.Ratio => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && double.IsFinite(r) ? r.ToString(CultureInfo.InvariantCulture) : null,
        FlagKind.Scope => Enum.TryParse<CrawlScope>(text, ignoreCase: true, out var scope) && Enum.IsDefined(scope) && !char.IsDigit(text[0]) ? scope.ToString() : null,
        FlagKind.Format => Enum.TryParse<OutputFormat>(text, ignoreCase: true, out var format) && Enum.IsDefined(format) && !char.IsDigit(text[0]) ? format.ToString() : null,
        FlagKind.Sitemaps => Enum.TryParse<SitemapMode>(text, ignoreCase: true, out var sitemaps) && Enum.IsDefined(sitemaps) && !char.IsDigit(text[0]) ? sitemaps.ToString() : null,
        FlagKind.OnOff => text.ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => "true",
            "off" or "false" or "no" => "false",
            _ => null,
        },
        _ => text,
    };

    private static string Expected(FlagKind kind) => kind switch
    {
        FlagKind.Int or FlagKind.Long => "a whole number",
        FlagKind.Duration => "a duration such as 500ms, 10s, 2m or a number of seconds",
        FlagKind.Size => "a size such as 65536, 512KiB or 10MiB",
        FlagKind.Rate => "a rate such as 1KiB/10s (SIZE/DURATION), or 0 for none",
        FlagKind.Ratio => "a number such as 0.5",
        FlagKind.Scope => "one of host, domain, any",
        FlagKind.Format => "one of jsonl, csv",
        FlagKind.OnOff => "on or off",
        FlagKind.Sitemaps => "one of auto, on, off",
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
        OnOff,
        Sitemaps,
        Rate,
    }
}
