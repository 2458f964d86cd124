namespace AsyncFetcher.Testing;

/// <summary>
/// Webrecorder's warcio (the JavaScript one, from npm), a WARC reader the tests did not write:
/// <c>warcio index</c> lists every record it can parse, <c>warcio cdx-index</c> a CDXJ line per
/// response and revisit. .ci/run installs it and names its cli.js in ASYNCFETCH_TEST_WARCIO;
/// otherwise it is installed once with npm into artifacts/warcio (git ignores artifacts/). Without
/// node and npm the tests that need it fail, rather than skip.
/// </summary>
public static class Warcio
{
    /// <summary>The pinned version: a reader that changes under the tests would make them say nothing.</summary>
    public const string Version = "2.4.11";

    private static readonly SemaphoreSlim Installing = new(1, 1);
    private static string? cli;

    /// <summary>Runs <c>warcio index</c> over <paramref name="files"/>: one JSON line per record.</summary>
    public static Task<CliResult> IndexAsync(params string[] files) => RunAsync(["index", .. files, "--fields", "offset,warc-type,warc-target-uri,warc-record-id"]);

    /// <summary>Runs <c>warcio cdx-index</c> over <paramref name="files"/>: one CDXJ line per response or revisit.</summary>
    public static Task<CliResult> CdxIndexAsync(params string[] files) => RunAsync(["cdx-index", .. files]);

    private static async Task<CliResult> RunAsync(IEnumerable<string> args)
    {
        var script = await CliAsync();
        return await ProcessRunner.RunAsync("node", [script, .. args], Path.GetTempPath(), TimeSpan.FromMinutes(2));
    }

    private static async Task<string> CliAsync()
    {
        await Installing.WaitAsync();
        try
        {
            if (cli is not null)
            {
                return cli;
            }
            var named = Environment.GetEnvironmentVariable("ASYNCFETCH_TEST_WARCIO");
            if (!string.IsNullOrEmpty(named))
            {
                return cli = named;
            }
            var prefix = RepoPaths.File("artifacts/warcio");
            var script = Path.Combine(prefix, "node_modules", "warcio", "dist", "cli.js");
            if (!File.Exists(script))
            {
                Directory.CreateDirectory(prefix);
                var install = await ProcessRunner.RunAsync("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--no-save", $"warcio@{Version}"], prefix, TimeSpan.FromMinutes(5));
                if (install.ExitCode != 0 || !File.Exists(script))
                {
                    throw new InvalidOperationException($"npm could not install warcio@{Version}: {install.Stderr}");
                }
            }
            return cli = script;
        }
        finally
        {
            Installing.Release();
        }
    }
}
