using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.AspNetCore.Http;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>Retries, Retry-After, the breaker flags and --save, through the real binary.</summary>
public sealed class ResilienceCommandTests : IDisposable
{
    private readonly TempDirectory dir = new("resilience");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task A_503_twice_then_200_is_recorded_with_three_attempts()
    {
        using var server = Scripted.Start();
        server.Given(Scripted.Get("/")).InScenario("flaky").WillSetStateTo("up", 2).RespondWith(Scripted.Status(503));
        server.Given(Scripted.Get("/")).InScenario("flaky").WhenStateIs("up").RespondWith(Scripted.Page("up"));

        var run = await CliRunner.RunAsync(["crawl", server.Url("/").AbsoluteUri, "--retries", "3", "--retry-delay", "0", "--quiet"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var record = Assert.Single(Jsonl.Records(run.Stdout));
        Assert.Equal(200, record.GetProperty("status").GetInt32());
        Assert.Equal(3, record.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task A_retry_after_over_the_cap_is_not_waited_for_and_the_record_says_why()
    {
        using var server = Scripted.Start();
        server.Given(Scripted.Get("/")).RespondWith(Scripted.Status(429).WithHeader("Retry-After", "3600"));

        var run = await CliRunner.RunAsync(["crawl", server.Url("/").AbsoluteUri, "--max-retry-after", "5s", "--quiet"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var record = Assert.Single(Jsonl.Records(run.Stdout));
        Assert.Equal(429, record.GetProperty("status").GetInt32());
        Assert.Equal(1, record.GetProperty("attempts").GetInt32());
        Assert.Equal("retry-after 3600s exceeds --max-retry-after (5s)", record.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Save_writes_the_mirror_and_nothing_outside_it()
    {
        await using var site = await LocalSite.StartAsync();
        site.Page("/", LocalSite.Html("home", "<a href=\"/docs/\">d</a><a href=\"/a/%2e%2e/%2e%2e/%2e%2e/escape\">e</a><a href=\"/..%2f..%2fescape2\">f</a><a href=\"/q?x=../../y\">q</a>"));
        site.Fallback = context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.WriteAsync(LocalSite.Html("any", ""));
        };
        var mirror = dir.File("mirror");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, "--save", mirror, "--quiet", "-o", dir.File("out.jsonl")]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var host = Path.Combine(mirror, $"127.0.0.1_{site.BaseUrl.Port}");
        Assert.True(File.Exists(Path.Combine(host, "index.html")));
        Assert.True(File.Exists(Path.Combine(host, "docs", "index.html")));
        Assert.True(File.Exists(Path.Combine(host, "escape.html")));
        Assert.True(File.Exists(Path.Combine(host, "..%2F..%2Fescape2.html")));
        Assert.True(File.Exists(Path.Combine(host, "q%3Fx=..%2F..%2Fy.html")));
        var files = Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories);
        Assert.All(files.Where(f => !f.EndsWith("out.jsonl", StringComparison.Ordinal)), f => Assert.StartsWith(mirror + Path.DirectorySeparatorChar, f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Save_to_a_file_is_a_usage_error()
    {
        var file = dir.File("taken");
        await File.WriteAllTextAsync(file, "x");

        var run = await CliRunner.RunAsync(["crawl", "http://127.0.0.1:9/", "--save", file]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"asyncfetch: error: --save '{file}' is a file; it must be a directory (it is created if missing)"], run.StderrLines);
    }
}
