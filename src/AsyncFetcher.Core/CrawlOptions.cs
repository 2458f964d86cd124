namespace AsyncFetcher.Core;

/// <summary>
/// Every setting of a crawl, with its default. Bound from appsettings.json, then
/// ASYNCFETCH_CRAWL__* environment variables, then command-line flags, and validated
/// once by <see cref="CrawlOptionsValidator"/> before any request is sent.
/// </summary>
public sealed class CrawlOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "Crawl";

    /// <summary>The most requests in flight at once (<c>--max</c>).</summary>
    public int Max { get; set; } = 10;

    /// <summary>The most requests in flight to one host (<c>--max-per-host</c>); 0 means the same as <see cref="Max"/>.</summary>
    public int MaxPerHost { get; set; }

    /// <summary>Timeout of one HTTP attempt (<c>--timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Budget for one URL across all its attempts (<c>--total-timeout</c>); zero means timeout × (retries + 1) plus, per retry, the longer of its backoff and <see cref="MaxRetryAfter"/> (capped at a day).</summary>
    public TimeSpan TotalTimeout { get; set; }

    /// <summary>Retries after the first attempt for 408, 429, 5xx and network errors (<c>--retries</c>).</summary>
    public int Retries { get; set; } = 3;

    /// <summary>The first retry's backoff; later ones grow exponentially, with jitter (<c>--retry-delay</c>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After honoured; a longer one gives up on the URL (<c>--max-retry-after</c>).</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The User-Agent header (<c>--user-agent</c>); its first token is matched against robots.txt groups.</summary>
    public string UserAgent { get; set; } = DefaultUserAgent;

    /// <summary>How many links away from a seed the crawl goes (<c>--depth</c>); 0 fetches only the seeds.</summary>
    public int Depth { get; set; } = 3;

    /// <summary>The most pages fetched in the whole crawl (<c>--max-pages</c>); 0 means unlimited. Exact, never overshot.</summary>
    public long MaxPages { get; set; }

    /// <summary>Which discovered links are followed (<c>--scope</c>).</summary>
    public CrawlScope Scope { get; set; } = CrawlScope.Host;

    /// <summary>Only URLs matching one of these regular expressions are followed (<c>--include</c>).</summary>
    public IList<string> Include { get; set; } = [];

    /// <summary>URLs matching any of these regular expressions are not followed (<c>--exclude</c>).</summary>
    public IList<string> Exclude { get; set; } = [];

    /// <summary>Longer URLs are not followed (<c>--max-url-length</c>).</summary>
    public int MaxUrlLength { get; set; } = 2048;

    /// <summary>The most distinct query strings followed for one path of one host (<c>--max-query-variants</c>); ends calendar traps.</summary>
    public int MaxQueryVariants { get; set; } = 100;

    /// <summary>Sort query parameters when normalising URLs, so reordered queries count as one URL (<c>--sort-query</c>).</summary>
    public bool SortQuery { get; set; }

    /// <summary>Obey robots.txt (<c>--no-robots</c> turns it off).</summary>
    public bool Robots { get; set; } = true;

    /// <summary>The longest robots.txt Crawl-delay honoured (<c>--max-crawl-delay</c>).</summary>
    public TimeSpan MaxCrawlDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Minimum interval between requests to one host (<c>--delay</c>), timed from when the answer to one began to
    /// when the next leaves: the server has surely read a request by then, so the interval holds as it sees it.
    /// A host with an interval gets one request at a time.
    /// </summary>
    public TimeSpan Delay { get; set; }

    // Politeness that adapts, and sitemaps.

    /// <summary>
    /// Adapt each host's concurrency and delay to its latency and its 429 and 503 answers (<c>--auto-throttle</c>):
    /// never above <see cref="MaxPerHost"/>, never faster than <see cref="Delay"/> or robots.txt's Crawl-delay.
    /// </summary>
    public bool AutoThrottle { get; set; } = true;

    /// <summary>Which sitemaps are read for URLs (<c>--sitemaps</c>).</summary>
    public SitemapMode Sitemaps { get; set; } = SitemapMode.Auto;

    /// <summary>The most redirects followed for one URL (<c>--max-redirects</c>).</summary>
    public int MaxRedirects { get; set; } = 10;

    /// <summary>Follow links marked rel="nofollow" (<c>--follow-nofollow</c>).</summary>
    public bool FollowNofollow { get; set; }

    /// <summary>Bodies larger than this are cut off while streaming and marked truncated (<c>--max-body</c>).</summary>
    public long MaxBody { get; set; } = 10 * 1024 * 1024;

    /// <summary>After the first Ctrl+C, how long in-flight requests may finish before they are cancelled (<c>--grace</c>).</summary>
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where records go (<c>--output</c>); empty or "-" means standard output.</summary>
    public string Output { get; set; } = "";

    /// <summary>The record format (<c>--format</c>).</summary>
    public OutputFormat Format { get; set; } = OutputFormat.Jsonl;

    // Resume and cancellation.

    /// <summary>A SQLite file holding the frontier, so a stopped or killed crawl resumes (<c>--state</c>); empty keeps it in memory.</summary>
    public string State { get; set; } = "";

    /// <summary>Delete the <see cref="State"/> file first and start the crawl over (<c>--fresh</c>).</summary>
    public bool Fresh { get; set; }

    /// <summary>Stop the whole crawl gracefully after this long, like a first Ctrl+C (<c>--deadline</c>); zero means none.</summary>
    public TimeSpan Deadline { get; set; }

    // Resilience and bodies: the per-host circuit breaker and --save.

    /// <summary>The share of failed attempts (5xx, 408, 429, network errors, timeouts) within the sampling window at which a host's circuit opens (<c>--breaker-ratio</c>).</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>The fewest attempts to a host within the sampling window before its circuit may open (<c>--breaker-min-attempts</c>).</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit pauses a host; its URLs wait, then one probe request tests it (<c>--breaker-pause</c>).</summary>
    public TimeSpan BreakerDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Write each 2xx body under this directory in a mirror layout (<c>--save</c>); empty means not saved.</summary>
    public string Save { get; set; } = "";

    // Safe on the open web: slow servers, huge pages, private networks, secrets in URLs.

    /// <summary>
    /// The slowest a response may arrive once it has started, as SIZE/DURATION (<c>--min-rate</c>, like curl's
    /// --speed-limit/--speed-time): fewer bytes than SIZE in any DURATION ends the attempt as "too slow"; 0 = no minimum.
    /// </summary>
    public string MinRate { get; set; } = "1KiB/10s";

    /// <summary>The most links one page adds to the crawl (<c>--max-links-per-page</c>); later ones are counted, not followed. 0 = no limit.</summary>
    public int MaxLinksPerPage { get; set; } = 10_000;

    /// <summary>Connect to loopback, private, link-local and other non-public addresses too (<c>--allow-private</c>); otherwise only a seed's own network is allowed.</summary>
    public bool AllowPrivate { get; set; }

    /// <summary>Send the user and password of a seed URL (<c>http://user:pw@host/</c>) as HTTP Basic authentication to its origin (<c>--send-url-credentials</c>).</summary>
    public bool SendUrlCredentials { get; set; }

    // Web archives and re-crawls.

    /// <summary>Also write every request and response, as sent and received, to this WARC 1.1 file (<c>--warc</c>, FILE.warc.gz); empty means none.</summary>
    public string Warc { get; set; } = "";

    /// <summary>Start a new WARC file (FILE-00000.warc.gz, FILE-00001.warc.gz, …) once one reaches this size (<c>--warc-max-size</c>); 0 = one file.</summary>
    public long WarcMaxSize { get; set; }

    /// <summary>Fetch every page the <see cref="State"/> file knows again, asking the server whether it changed (<c>--recrawl</c>).</summary>
    public bool Recrawl { get; set; }

    /// <summary>With <see cref="Recrawl"/>, fetch again only the pages last fetched longer ago than this (<c>--recrawl-after</c>); 0 = all.</summary>
    public TimeSpan RecrawlAfter { get; set; }

    /// <summary><see cref="MinRate"/> parsed; <see cref="TransferRate.None"/> when it does not parse (the validator reports that).</summary>
    public TransferRate MinimumRate => TransferRate.TryParse(MinRate, out var rate) ? rate.Value : TransferRate.None;

    /// <summary>The per-host limit in force: <see cref="MaxPerHost"/>, or <see cref="Max"/> when unset.</summary>
    public int EffectiveMaxPerHost => MaxPerHost > 0 ? Math.Min(MaxPerHost, Max) : Max;

    /// <summary>The product token robots.txt groups are matched against: the User-Agent up to its first '/' or space.</summary>
    public string RobotsToken
    {
        get
        {
            var end = UserAgent.AsSpan().IndexOfAny('/', ' ');
            return end < 0 ? UserAgent : UserAgent[..end];
        }
    }

    /// <summary>The default User-Agent, with this build's version.</summary>
    public static string DefaultUserAgent { get; } =
        $"asyncfetch/{typeof(CrawlOptions).Assembly.GetName().Version?.ToString(3) ?? "0"} (+https://github.com/asyncfetch/asyncfetch)";

    // What users see: progress, the summary file and the HTML report.

    /// <summary>How often a progress line is logged when standard error is not a terminal (<c>--progress-interval</c>); 0 turns it off. On a terminal the line is redrawn in place instead.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Also write the end summary as JSON to this file (<c>--summary-json</c>); empty means none.</summary>
    public string SummaryJson { get; set; } = "";

    /// <summary>Also write a self-contained HTML report to this file (<c>--report</c>); empty means none.</summary>
    public string Report { get; set; } = "";

    // Distributed crawl: a frontier shared by several asyncfetch processes.

    /// <summary>Where the frontier lives (<c>--frontier</c>): empty for the embedded one, or <c>redis://host:port/db</c> shared by every worker of a crawl.</summary>
    public string Frontier { get; set; } = "";

    /// <summary>Names the crawl in a shared frontier (<c>--crawl-id</c>); workers with the same id share one crawl.</summary>
    public string CrawlId { get; set; } = "";

    /// <summary>How long a taken URL stays leased to a worker that stops renewing it (<c>--lease</c>); then another worker takes it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>This worker's name in a shared frontier and in its records (<c>--worker-id</c>); empty means hostname-pid.</summary>
    public string WorkerId { get; set; } = "";

    /// <summary>How long the shared frontier may be out of reach, at start or mid-crawl, before the crawl gives up with exit 1 (<c>--frontier-timeout</c>).</summary>
    public TimeSpan FrontierTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
