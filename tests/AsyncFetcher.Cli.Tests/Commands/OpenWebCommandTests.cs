using System.Diagnostics;
using System.Text.Json;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// The real binary against private addresses and URLs with passwords. The private-network tests run
/// in a network namespace of their own (<c>unshare -rn</c>) that has only a loopback interface, with
/// 198.51.100.1 (a documentation address) on it as the "public" site: a guard that failed could reach
/// nothing beyond that namespace, and there is no route at all to 10.0.0.0/8 or 169.254.169.254.
/// </summary>
public sealed class OpenWebCommandTests : IDisposable
{
    private static readonly string[] PrivateLinks =
    [
        "http://127.0.0.1:8081/plain",
        "http://2130706433:8081/decimal",
        "http://0x7f000001:8081/hex",
        "http://0177.0.0.1:8081/octal",
        "http://[::ffff:127.0.0.1]:8081/mapped",
        "http://[::1]:8081/v6-loopback",
        "http://localhost:8081/by-name",
        "http://10.0.0.1/rfc1918",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/cgnat",
        "http://[fd00::1]/ula",
    ];

    private readonly string dir = Directory.CreateTempSubdirectory("asyncfetch-openweb-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Links_from_a_public_page_to_private_addresses_are_refused_before_anything_is_sent()
    {
        var (records, privateLog, stderr) = await CrawlInNamespaceAsync([]);

        Assert.True(privateLog.Length == 0, $"the private server was reached: {string.Join(", ", privateLog)}\n{stderr}");
        var seed = records.Single(r => r.GetProperty("depth").GetInt32() == 0);
        Assert.Equal(200, seed.GetProperty("status").GetInt32());
        var refused = records.Where(r => r.GetProperty("depth").GetInt32() == 1).ToList();
        // Spellings of 127.0.0.1 are one URL per path once normalised; each link got a record, and each was refused.
        Assert.True(refused.Count >= 9, string.Join('\n', records));
        Assert.All(refused, r => Assert.Equal("private address refused", r.GetProperty("error").GetString()));
        Assert.All(refused, r => Assert.Equal(JsonValueKind.Null, r.GetProperty("status").ValueKind));
    }

    [Fact]
    public async Task Allow_private_lets_the_same_links_through()
    {
        var (records, privateLog, stderr) = await CrawlInNamespaceAsync(["--allow-private"]);

        // The same crawl reaches the loopback server: the test above would see a leak.
        Assert.True(privateLog.Length >= 5, $"{string.Join(", ", privateLog)}\n{stderr}");
        Assert.Contains(records, r => r.GetProperty("url").GetString() == "http://127.0.0.1:8081/plain" && r.GetProperty("status").ValueKind == JsonValueKind.Number);
    }

    [Fact]
    public async Task A_password_in_a_url_is_never_written_in_clear()
    {
        await using var site = await LocalSite.StartAsync();
        var authority = site.BaseUrl.Authority;
        site.Page("/", LocalSite.Html("seed", $"<a href=\"http://linked:hunter2@{authority}/from-link\">x</a><a href=\"/next\">n</a>"));
        site.Links("/next");
        site.Links("/from-link");
        var output = Path.Combine(dir, "out.jsonl");
        var state = Path.Combine(dir, "crawl.db");
        var report = Path.Combine(dir, "report.html");
        var summary = Path.Combine(dir, "summary.json");

        var run = await CliRunner.RunAsync(["crawl", $"http://user:s3cret@{authority}/", "ftp://ftpuser:pw3@example.invalid/",
            "--depth", "1", "-o", output, "--state", state, "--report", report, "--summary-json", summary, "--progress-interval", "0"]);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var written = new Dictionary<string, string>
        {
            ["stdout"] = run.Stdout,
            ["stderr"] = run.Stderr,
            ["records"] = await File.ReadAllTextAsync(output),
            ["report"] = await File.ReadAllTextAsync(report),
            ["summary"] = await File.ReadAllTextAsync(summary),
            // The state is SQLite: its strings are stored as UTF-8 text, so a byte search finds them.
            ["state"] = System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync(state)),
        };
        foreach (var (what, text) in written)
        {
            Assert.False(text.Contains("s3cret", StringComparison.Ordinal), $"{what} holds the seed's password");
            Assert.False(text.Contains("hunter2", StringComparison.Ordinal), $"{what} holds the link's password");
            Assert.False(text.Contains("pw3", StringComparison.Ordinal), $"{what} holds the skipped seed's password");
        }
        Assert.Contains($"http://user:***@{authority}/", written["records"], StringComparison.Ordinal);
        Assert.Contains("ftp://ftpuser:***@example.invalid/", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// Serves a public page on 198.51.100.1:8080 linking to <see cref="PrivateLinks"/>, and a private site on
    /// 127.0.0.1 and [::1] port 8081, inside a fresh network namespace, and crawls the public page from there.
    /// </summary>
    private async Task<(List<JsonElement> Records, string[] PrivateLog, string Stderr)> CrawlInNamespaceAsync(string[] extra)
    {
        var page = "<html><title>public</title><body>" + string.Concat(PrivateLinks.Select(l => $"<a href=\"{l}\">x</a>")) + "</body></html>";
        await File.WriteAllTextAsync(Path.Combine(dir, "page.html"), page);
        await File.WriteAllTextAsync(Path.Combine(dir, "serve.py"), ServeScript);
        var output = Path.Combine(dir, "out.jsonl");
        var crawl = string.Join(' ', CliRunner.Command().Concat(["crawl", "http://198.51.100.1:8080/", "--depth", "1", "--scope", "any", "--no-robots",
            "--retries", "0", "--timeout", "5s", "-o", output, "--progress-interval", "0", .. extra]).Select(Quote));
        var script = $"set -e; export PATH=\"$PATH:/usr/sbin:/sbin\"; ip link set lo up; ip addr add 198.51.100.1/32 dev lo; "
            + $"exec python3 {Quote(Path.Combine(dir, "serve.py"))} {Quote(dir)} {crawl}";
        var info = new ProcessStartInfo("unshare") { ArgumentList = { "-rn", "sh", "-c", script }, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var errors = await stderr + await stdout;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {errors}");
        var records = (await File.ReadAllLinesAsync(output)).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var privateLog = File.Exists(Path.Combine(dir, "private.log")) ? await File.ReadAllLinesAsync(Path.Combine(dir, "private.log")) : [];
        return (records, privateLog, errors);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    // Binds every server before it starts the crawler (no waiting for a port), logs each request path
    // to public.log or private.log, and exits with the crawler's exit code.
    private const string ServeScript = """
        import http.server, socket, subprocess, sys, threading
        folder, command = sys.argv[1], sys.argv[2:]
        page = open(folder + "/page.html", "rb").read()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with open(folder + "/" + self.server.name + ".log", "a") as log:
                    log.write(self.path + "\n")
                body = page if self.server.name == "public" and self.path == "/" else b"<html><title>private</title></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        class V6(http.server.ThreadingHTTPServer):
            address_family = socket.AF_INET6
        servers = []
        for name, cls, address in [("public", http.server.ThreadingHTTPServer, ("198.51.100.1", 8080)),
                                   ("private", http.server.ThreadingHTTPServer, ("127.0.0.1", 8081)),
                                   ("private", V6, ("::1", 8081))]:
            server = cls(address, Handler)
            server.name = name
            threading.Thread(target=server.serve_forever, daemon=True).start()
            servers.append(server)
        code = subprocess.call(command)
        for server in servers:
            server.shutdown()
        sys.exit(code)
        """;
}
