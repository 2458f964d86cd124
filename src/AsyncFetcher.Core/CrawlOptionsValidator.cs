using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core;

/// <summary>
/// Checks <see cref="CrawlOptions"/> once, before the crawl starts. Each failure names the
/// flag and its allowed range, so the CLI can print it as the one line a user acts on.
/// </summary>
public sealed class CrawlOptionsValidator : IValidateOptions<CrawlOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, CrawlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        void Range(string flag, long value, long min, long max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{flag} must be between {min} and {max} (got {value})");
            }
        }
        void Positive(string flag, TimeSpan value, bool zeroAllowed)
        {
            if (value < TimeSpan.Zero || (!zeroAllowed && value == TimeSpan.Zero))
            {
                errors.Add($"{flag} must be a {(zeroAllowed ? "non-negative" : "positive")} duration such as 500ms, 10s or 2m (got {Units.FormatDuration(value)})");
            }
        }
        void AtMost(string flag, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value >= TimeSpan.Zero && (value < min || value > max))
            {
                errors.Add($"{flag} must be between {Units.FormatDuration(min)} and {Units.FormatDuration(max)} (got {Units.FormatDuration(value)})");
            }
        }

        Range("--max", options.Max, 1, 10_000);
        Range("--max-per-host", options.MaxPerHost, 0, 10_000);
        Positive("--timeout", options.Timeout, zeroAllowed: false);
        Positive("--total-timeout", options.TotalTimeout, zeroAllowed: true);
        Range("--retries", options.Retries, 0, 100);
        Positive("--retry-delay", options.RetryDelay, zeroAllowed: true);
        Positive("--max-retry-after", options.MaxRetryAfter, zeroAllowed: true);
        Range("--depth", options.Depth, 0, 1_000_000);
        Range("--max-pages", options.MaxPages, 0, long.MaxValue);
        Range("--max-url-length", options.MaxUrlLength, 16, 1_000_000);
        Range("--max-query-variants", options.MaxQueryVariants, 1, int.MaxValue);
        Positive("--max-crawl-delay", options.MaxCrawlDelay, zeroAllowed: true);
        Positive("--delay", options.Delay, zeroAllowed: true);
        Range("--max-redirects", options.MaxRedirects, 0, 100);
        Range("--max-body", options.MaxBody, 1, long.MaxValue);
        Positive("--grace", options.Grace, zeroAllowed: true);
        Positive("--progress-interval", options.ProgressInterval, zeroAllowed: true);
        // Resume and cancellation.
        Positive("--deadline", options.Deadline, zeroAllowed: true);
        if (options.Fresh && string.IsNullOrEmpty(options.State))
        {
            errors.Add("--fresh needs --state FILE (without a state file every crawl starts fresh)");
        }
        // Resilience: the resilience pipeline rejects timeouts outside 10ms..1 day when it is
        // first built, mid-crawl; checking here turns that into a usage error before any request.
        AtMost("--timeout", options.Timeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        if (options.TotalTimeout != TimeSpan.Zero)
        {
            AtMost("--total-timeout", options.TotalTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        }
        AtMost("--retry-delay", options.RetryDelay, TimeSpan.Zero, TimeSpan.FromHours(1));
        AtMost("--max-retry-after", options.MaxRetryAfter, TimeSpan.Zero, TimeSpan.FromHours(1));
        if (!(options.BreakerFailureRatio > 0 && options.BreakerFailureRatio <= 1))
        {
            errors.Add($"--breaker-ratio must be above 0 and at most 1 (got {options.BreakerFailureRatio.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        }
        Range("--breaker-min-attempts", options.BreakerMinimumThroughput, 2, int.MaxValue);
        AtMost("--breaker-pause", options.BreakerDuration, TimeSpan.FromMilliseconds(500), TimeSpan.FromDays(1));
        if (!string.IsNullOrEmpty(options.Save) && File.Exists(options.Save))
        {
            errors.Add($"--save '{options.Save}' is a file; it must be a directory (it is created if missing)");
        }
        if (string.IsNullOrWhiteSpace(options.UserAgent))
        {
            errors.Add("--user-agent must not be empty");
        }
        if (!Enum.IsDefined(options.Scope))
        {
            errors.Add("--scope must be one of host, domain, any");
        }
        if (!Enum.IsDefined(options.Sitemaps))
        {
            errors.Add("--sitemaps must be one of auto, on, off");
        }
        if (!Enum.IsDefined(options.Format))
        {
            errors.Add("--format must be one of jsonl, csv");
        }
        foreach (var (flag, patterns) in new[] { ("--include", options.Include), ("--exclude", options.Exclude) })
        {
            foreach (var pattern in patterns)
            {
                try
                {
                    _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
                }
                catch (ArgumentException e)
                {
                    errors.Add($"{flag} '{pattern}' is not a valid regular expression: {e.Message}");
                }
            }
        }
        // Safe on the open web: slow servers and huge pages.
        if (!TransferRate.TryParse(options.MinRate, out _))
        {
            errors.Add($"--min-rate must be SIZE/DURATION such as 1KiB/10s, or 0 for none (got '{options.MinRate}')");
        }
        Range("--max-links-per-page", options.MaxLinksPerPage, 0, int.MaxValue);
        // Web archives and re-crawls.
        if (!string.IsNullOrEmpty(options.Warc) && !options.Warc.EndsWith(Output.Warc.WarcFiles.Extension, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"--warc must name a {Output.Warc.WarcFiles.Extension} file: each record is a gzip member (got '{options.Warc}')");
        }
        if (!string.IsNullOrEmpty(options.Warc) && Directory.Exists(options.Warc))
        {
            errors.Add($"--warc '{options.Warc}' is a directory; it must be a file");
        }
        Range("--warc-max-size", options.WarcMaxSize, 0, long.MaxValue);
        if (options.WarcMaxSize > 0 && string.IsNullOrEmpty(options.Warc))
        {
            errors.Add("--warc-max-size needs --warc FILE.warc.gz");
        }
        if (options.Recrawl && !string.IsNullOrEmpty(options.Frontier))
        {
            errors.Add("--recrawl cannot be used with --frontier: a shared crawl keeps no page versions; re-crawl with --state FILE");
        }
        else if (options.Recrawl && string.IsNullOrEmpty(options.State))
        {
            errors.Add("--recrawl needs --state FILE: the state of the earlier crawl holds the pages to fetch again");
        }
        if (options.Recrawl && options.Fresh)
        {
            errors.Add("--recrawl and --fresh cannot be used together: --fresh deletes the pages a re-crawl fetches again");
        }
        Positive("--recrawl-after", options.RecrawlAfter, zeroAllowed: true);
        if (options.RecrawlAfter > TimeSpan.Zero && !options.Recrawl)
        {
            errors.Add("--recrawl-after needs --recrawl");
        }
        // Distributed crawl: a frontier shared by several processes.
        if (options.Lease < TimeSpan.FromSeconds(1) || options.Lease > TimeSpan.FromDays(1))
        {
            // Renewed every third of it: shorter than 1s would spend the worker on renewals.
            errors.Add($"--lease must be a duration between 1s and 1d (got {Units.FormatDuration(options.Lease)})");
        }
        if (!string.IsNullOrEmpty(options.Frontier))
        {
            if (!Storage.RedisAddress.TryParse(options.Frontier, out _, out var frontierError))
            {
                errors.Add($"--frontier {frontierError}");
            }
            if (string.IsNullOrEmpty(options.CrawlId))
            {
                errors.Add("--crawl-id is required with --frontier (the name every worker of the crawl shares)");
            }
            if (!string.IsNullOrEmpty(options.State))
            {
                errors.Add("--state cannot be used with --frontier: a shared crawl keeps its state in Redis");
            }
        }
        if (!string.IsNullOrEmpty(options.CrawlId) && !Storage.RedisKeys.IsValidCrawlId(options.CrawlId))
        {
            errors.Add($"--crawl-id must be 1-100 letters, digits, '.', '_', '-' or ':' (got '{options.CrawlId}')");
        }
        AtMost("--frontier-timeout", options.FrontierTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        if (options.WorkerId.Length > 100 || options.WorkerId.Any(char.IsWhiteSpace))
        {
            errors.Add($"--worker-id must be at most 100 characters without spaces (got '{options.WorkerId}')");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
