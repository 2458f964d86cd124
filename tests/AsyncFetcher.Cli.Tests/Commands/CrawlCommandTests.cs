using System.Text.Json;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>The real binary, run as a user runs it, against a site on loopback.</summary>
public sealed class CrawlCommandTests : IDisposable
{
    private readonly TempDirectory dir = new("cli");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Crawl_of_a_url_file_writes_one_record_per_url_with_concurrency_at_most_max()
    {
        await using var site = await LocalSite.StartAsync();
        site.Delay = TimeSpan.FromMilliseconds(20);
        var urls = Enumerable.Range(0, 40).Select(i => site.Url($"/page/{i}").AbsoluteUri).ToList();
        foreach (var url in urls)
        {
            site.Links(new Uri(url).AbsolutePath);
        }
        var file = dir.Write("urls.txt", "# seeds\n\n" + string.Join('\n', urls) + "\n");

        var run = await CliRunner.RunAsync(["crawl", file, "--max", "10", "--depth", "0", "--quiet"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var records = Jsonl.Records(run.Stdout);
        Assert.Equal(urls.Order(), records.Select(r => r.GetProperty("url").GetString()).Order());
        Assert.All(records, r => Assert.Equal(200, r.GetProperty("status").GetInt32()));
        Assert.All(records, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind));
        Assert.InRange(site.PeakInFlight, 1, 10);
        Assert.Empty(run.Stderr);
    }

    [Fact]
    public async Task Records_carry_the_documented_fields()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("Hello title", "<a href=\"/x\">x</a>"));
        site.Links("/x");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--quiet"]);

        Assert.Equal(0, run.ExitCode);
        var first = Jsonl.Records(run.Stdout).Single(r => r.GetProperty("depth").GetInt32() == 0);
        foreach (var field in new[] { "url", "finalUrl", "status", "contentType", "bytes", "elapsedMs", "depth", "parent", "attempts", "title", "error", "links", "redirects" })
        {
            Assert.True(first.TryGetProperty(field, out _), $"missing field {field}");
        }
        Assert.Equal("Hello title", first.GetProperty("title").GetString());
        Assert.Equal(1, first.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Output_file_receives_the_records()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/", "/a");
        site.Links("/a");
        var output = dir.File("out.jsonl");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--output", output]);

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Equal(2, Jsonl.Records(File.ReadAllText(output)).Count);
        Assert.StartsWith("asyncfetch: 2 pages in ", run.StderrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seeds_can_come_from_standard_input()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/s");

        var run = await CliRunner.RunAsync(["crawl", "-", "--quiet"], standardInput: site.Url("/s").AbsoluteUri + "\n");

        Assert.Equal(0, run.ExitCode);
        Assert.Single(Jsonl.Records(run.Stdout));
    }

    [Fact]
    public async Task Malformed_lines_are_skipped_with_a_warning_naming_file_and_line()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/good");
        var file = dir.Write("seeds.txt", $"{site.Url("/good")}\nnot a url\nftp://example.invalid/file\n");

        var run = await CliRunner.RunAsync(["crawl", file, "--quiet"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Single(Jsonl.Records(run.Stdout));
        Assert.Contains(run.StderrLines, l => l.Contains("seeds.txt:2", StringComparison.Ordinal) && l.Contains("not an absolute http(s) URL", StringComparison.Ordinal));
        Assert.Contains(run.StderrLines, l => l.Contains("seeds.txt:3", StringComparison.Ordinal) && l.Contains("unsupported scheme 'ftp'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_crawl_that_fetched_not_one_page_exits_4_and_its_record_carries_the_attempts_and_time_spent(bool robots)
    {
        // Nothing listens on the port: every attempt is refused, robots.txt's included.
        var seed = $"http://127.0.0.1:{LoopbackPort.Free()}/";

        var run = await CliRunner.RunAsync(["crawl", seed, "--retries", "1", "--retry-delay", "200ms", .. robots ? Array.Empty<string>() : ["--no-robots"]]);

        Assert.Equal(4, run.ExitCode);
        Assert.Equal("asyncfetch: error: not one page could be fetched (connection refused ×1)", run.StderrLines[^1]);
        var record = Assert.Single(Jsonl.Records(run.Stdout));
        Assert.Equal("connection refused", record.GetProperty("error").GetString());
        Assert.Equal(2, record.GetProperty("attempts").GetInt32());
        // The backoff before the retry, at least.
        Assert.InRange(record.GetProperty("elapsedMs").GetInt64(), 1, long.MaxValue);
    }

    [Fact]
    public async Task A_missing_seed_file_is_one_line_and_exit_2()
    {
        var run = await CliRunner.RunAsync(["crawl", "missing.txt"], workingDirectory: dir.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["asyncfetch: error: cannot read 'missing.txt': no such file"], run.StderrLines);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("--max", "0", "--max must be between 1 and 10000 (got 0)")]
    [InlineData("--max", "abc", "--max: 'abc' is not a whole number")]
    [InlineData("--timeout", "-5s", "--timeout must be a positive duration")]
    [InlineData("--timeout", "soon", "--timeout: 'soon' is not a duration")]
    [InlineData("--scope", "planet", "--scope: 'planet' is not one of host, domain, any")]
    [InlineData("--include", "([", "--include '([' is not a valid regular expression")]
    [InlineData("--breaker-ratio", "2", "--breaker-ratio must be above 0 and at most 1 (got 2)")]
    [InlineData("--breaker-ratio", "half", "--breaker-ratio: 'half' is not a number such as 0.5")]
    [InlineData("--breaker-min-attempts", "1", "--breaker-min-attempts must be between 2 and")]
    [InlineData("--breaker-pause", "100ms", "--breaker-pause must be between 500ms and 24h (got 100ms)")]
    [InlineData("--timeout", "2h", "--timeout must be between 10ms and 1h (got 2h)")]
    [InlineData("--max-retry-after", "2h", "--max-retry-after must be between 0ms and 1h (got 2h)")]
    [InlineData("--auto-throttle", "sometimes", "--auto-throttle: 'sometimes' is not on or off")]
    [InlineData("--sitemaps", "always", "--sitemaps: 'always' is not one of auto, on, off")]
    public async Task Bad_option_values_are_one_line_naming_the_option_and_exit_2(string option, string value, string expected)
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", option, value]);

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("asyncfetch: error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--bogus"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--bogus", run.StderrLines[0], StringComparison.Ordinal);
        Assert.Equal("Try 'asyncfetch crawl --help'.", run.StderrLines[1]);
    }

    [Fact]
    public async Task Settings_layer_config_file_then_environment_then_flags()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 50, links: 3);
        var seed = site.Url("/index.html").AbsoluteUri;
        var config = dir.Write("settings.json", "{ \"Crawl\": { \"MaxPages\": 7, \"Depth\": 100 } }");
        var env = new Dictionary<string, string> { ["ASYNCFETCH_CRAWL__MAXPAGES"] = "5" };

        var fromFile = await CliRunner.RunAsync(["crawl", seed, "--config", config, "--quiet"]);
        var fromEnv = await CliRunner.RunAsync(["crawl", seed, "--config", config, "--quiet"], env);
        var fromFlag = await CliRunner.RunAsync(["crawl", seed, "--config", config, "--max-pages", "3", "--quiet"], env);

        Assert.Equal(7, Jsonl.Records(fromFile.Stdout).Count);
        Assert.Equal(5, Jsonl.Records(fromEnv.Stdout).Count);
        Assert.Equal(3, Jsonl.Records(fromFlag.Stdout).Count);
    }

    [Fact]
    public async Task A_bad_environment_value_is_a_usage_error()
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/"], new Dictionary<string, string> { ["ASYNCFETCH_CRAWL__MAX"] = "lots" });

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("asyncfetch: error: configuration:", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_is_a_record_not_a_crash()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/slow", context => Task.Delay(Timeout.Infinite, context.RequestAborted));

        // No robots.txt: on a busy machine its fetch could be the one to take longer than 300 ms.
        var run = await CliRunner.RunAsync(["crawl", site.Url("/slow").AbsoluteUri, "--timeout", "300ms", "--retries", "0", "--no-robots", "--quiet"]);

        // Not one page could be fetched: exit 4, with the record saying why.
        Assert.Equal(4, run.ExitCode);
        Assert.Equal("timeout", Jsonl.Records(run.Stdout).Single().GetProperty("error").GetString());
    }

    [Fact]
    public async Task Durations_in_a_config_file_and_the_environment_take_units_like_the_flags()
    {
        await using var site = await LocalSite.StartAsync();
        site.Map("/slow", context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        var config = dir.Write("durations.json", "{ \"Crawl\": { \"Timeout\": \"300ms\", \"Retries\": 0 } }");

        var fromFile = await CliRunner.RunAsync(["crawl", site.Url("/slow").AbsoluteUri, "--config", config, "--quiet"]);
        var badEnv = await CliRunner.RunAsync(["crawl", site.Url("/slow").AbsoluteUri, "--quiet"],
            new Dictionary<string, string> { ["ASYNCFETCH_CRAWL__TIMEOUT"] = "soon" });

        Assert.Equal(4, fromFile.ExitCode);
        Assert.Equal("timeout", Jsonl.Records(fromFile.Stdout).Single().GetProperty("error").GetString());
        Assert.Equal(2, badEnv.ExitCode);
        Assert.Equal("asyncfetch: error: configuration: Crawl:Timeout: 'soon' is not a duration such as 500ms, 10s, 2m or 00:00:30",
            Assert.Single(badEnv.StderrLines));
    }

    [Fact]
    public async Task An_unwritable_output_is_fatal_with_exit_1()
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--output", Path.Combine(dir.Path, "no", "such", "dir.Path", "out.jsonl")]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("cannot write", Assert.Single(run.StderrLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_format_writes_a_header_and_a_row_per_url()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("a, \"quoted\" title", ""));

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--format", "csv", "--quiet"]);

        Assert.Equal(0, run.ExitCode);
        var lines = run.StdoutLines;
        Assert.StartsWith("url,finalUrl,status,", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"a, \"\"quoted\"\" title\"", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_crawl_crawls_the_bundled_site_offline()
    {
        var run = await CliRunner.RunAsync(["demo", "crawl", "--quiet"]);

        Assert.Equal(0, run.ExitCode);
        var urls = Jsonl.Records(run.Stdout).Select(r => new Uri(r.GetProperty("url").GetString()!).PathAndQuery).ToList();
        Assert.Contains("/docs/~guide.html", urls);
        Assert.DoesNotContain("/private/secret.html", urls);
        Assert.DoesNotContain("/ads.html", urls);
        Assert.Equal(urls.Count, urls.Distinct().Count());
    }
}
