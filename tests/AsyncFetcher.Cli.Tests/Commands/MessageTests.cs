using AsyncFetcher.Cli.Commands;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// What a user is told about a mistake in what they typed, with the real binary: the tool's one style
/// (<c>asyncfetch: error: lower case, no full stop</c>), the nearest real option or command, the seed line
/// or argument at fault, and values echoed as typed.
/// </summary>
public sealed class MessageTests : IDisposable
{
    private readonly TempDirectory dir = new("messages");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task Seed_lines_say_what_was_ignored_what_was_meant_and_where()
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/page");
        var seeds = dir.Write("seeds.txt", $"{site.Url("/page")}  trailing words\nwww.example.org/page\nftp://example.invalid/file\n");

        var run = await CliRunner.RunAsync(["crawl", seeds, "--depth", "0", "--quiet"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(site.Url("/page").AbsoluteUri, Assert.Single(Jsonl.Records(run.Stdout)).GetProperty("url").GetString());
        Assert.Equal(
        [
            $"asyncfetch: warning: {seeds}:1: ignored 'trailing words' after the URL (a URL has no spaces; write one per line)",
            $"asyncfetch: warning: {seeds}:2: skipped 'www.example.org/page': not an absolute http(s) URL (did you mean http://www.example.org/page?)",
            $"asyncfetch: warning: {seeds}:3: skipped 'ftp://example.invalid/file': unsupported scheme 'ftp' (only http and https are fetched)",
        ], run.StderrLines);
    }

    [Fact]
    public async Task Nothing_to_crawl_comes_after_the_warnings_that_say_why()
    {
        var run = await CliRunner.RunAsync(["crawl", "ftp://example.invalid/", "gopher://example.invalid/"], workingDirectory: dir.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
        [
            "asyncfetch: warning: argument 1: skipped 'ftp://example.invalid/': unsupported scheme 'ftp' (only http and https are fetched)",
            "asyncfetch: warning: argument 2: skipped 'gopher://example.invalid/': unsupported scheme 'gopher' (only http and https are fetched)",
            "asyncfetch: error: no seed URLs to crawl",
        ], run.StderrLines);
    }

    [Fact]
    public async Task A_url_typed_without_its_scheme_gets_a_hint()
    {
        var run = await CliRunner.RunAsync(["crawl", "www.example.org/page"], workingDirectory: dir.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["asyncfetch: error: cannot read 'www.example.org/page': no such directory (did you mean http://www.example.org/page?)"], run.StderrLines);
    }

    [Theory]
    [InlineData(new[] { "crawl", "http://127.0.0.1:9/", "--maxpages", "5" }, "unknown option '--maxpages' (did you mean --max-pages?)", "asyncfetch crawl")]
    [InlineData(new[] { "crawl", "http://127.0.0.1:9/", "--dpeth", "2" }, "unknown option '--dpeth' (did you mean --depth?)", "asyncfetch crawl")]
    [InlineData(new[] { "report", "out.jsonl", "-o", "r.html", "--quite" }, "unknown option '--quite' (did you mean --quiet?)", "asyncfetch report")]
    [InlineData(new[] { "cralw", "http://127.0.0.1:9/" }, "unknown command 'cralw' (did you mean crawl?)", "asyncfetch")]
    [InlineData(new[] { "crawl" }, "crawl needs seeds: files of URLs (one per line, # comments), URLs, or - for standard input", "asyncfetch crawl")]
    [InlineData(new[] { "crawl", "http://127.0.0.1:9/", "--max" }, "--max needs a value", "asyncfetch crawl")]
    [InlineData(new[] { "report", "out.jsonl" }, "--output is required", "asyncfetch report")]
    [InlineData(new string[0], "a command is needed: crawl, report, demo, status, merge", "asyncfetch")]
    public async Task Usage_mistakes_are_one_line_in_the_tools_words_then_where_to_look(string[] args, string expected, string command)
    {
        var run = await CliRunner.RunAsync(args, workingDirectory: dir.Path);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"asyncfetch: error: {expected}", $"Try '{command} --help'."], run.StderrLines);
    }

    [Theory]
    [InlineData("--delay", "-1", "--delay must be a non-negative duration such as 500ms, 10s or 2m (got -1)")]
    [InlineData("--grace", "-00:00:02", "--grace must be a non-negative duration such as 500ms, 10s or 2m (got -00:00:02)")]
    [InlineData("--timeout", "0", "--timeout must be a positive duration such as 500ms, 10s or 2m (got 0)")]
    [InlineData("--frontier-timeout", "500ms", "--frontier-timeout must be between 1s and 24h (got 500ms)")]
    public async Task Durations_are_echoed_as_typed(string option, string value, string expected)
    {
        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", option, value]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"asyncfetch: error: {expected}", Assert.Single(run.StderrLines));
    }

    [Theory]
    [InlineData("--output")]
    [InlineData("--report")]
    [InlineData("--summary-json")]
    [InlineData("--state")]
    public async Task A_file_option_given_a_directory_says_it_is_a_directory(string option)
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, option, dir.Path, "--quiet"]);

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith("asyncfetch: error: ", line, StringComparison.Ordinal);
        Assert.Contains($"'{dir.Path}'", line, StringComparison.Ordinal);
        Assert.EndsWith(" is a directory", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Max_is_also_concurrency_and_c_and_says_it_is_not_a_page_limit()
    {
        await using var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 20, links: 5);
        site.Delay = TimeSpan.FromMilliseconds(20);

        var concurrency = await CliRunner.RunAsync(["crawl", site.Url("/index.html").AbsoluteUri, "--concurrency", "1", "--depth", "100", "--quiet"]);
        var c = await CliRunner.RunAsync(["crawl", site.Url("/index.html").AbsoluteUri, "-c", "0"]);
        var help = await CliRunner.RunAsync(["crawl", "--help"]);

        Assert.Equal(0, concurrency.ExitCode);
        Assert.Equal(21, Jsonl.Records(concurrency.Stdout).Count);
        Assert.Equal(1, site.PeakInFlight);
        Assert.Equal(["asyncfetch: error: --max must be between 1 and 10000 (got 0)"], c.StderrLines);
        Assert.Contains("-c, --max, --concurrency <n>", help.Stdout, StringComparison.Ordinal);
        Assert.Contains("(not a page limit; see --max-pages)", help.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_read_as_users_think_of_them()
    {
        var defaults = new CrawlFlags().Table().ToDictionary(f => f.Flag, f => f.Default);

        Assert.Equal("off", defaults["--no-robots"]);
        Assert.Equal("off", defaults["--fresh"]);
        Assert.Equal("automatic", defaults["--total-timeout"]);
        Assert.Equal("none", defaults["--delay"]);
        Assert.Equal("none", defaults["--deadline"]);
        Assert.Equal("no limit", defaults["--max-pages"]);
        Assert.Equal("same as --max", defaults["--max-per-host"]);
    }
}
