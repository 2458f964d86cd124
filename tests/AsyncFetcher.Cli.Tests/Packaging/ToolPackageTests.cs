using System.Reflection;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Packaging;

/// <summary>
/// asyncfetch as a .NET tool: the package installs into a tool path and runs. CI packs once and
/// names the folder in ASYNCFETCH_TOOL_PACKAGES; otherwise the test packs the build it runs next to.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly TempDirectory dir = new("tool");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_packed_tool_installs_into_a_tool_path_and_runs()
    {
        var packages = Environment.GetEnvironmentVariable("ASYNCFETCH_TOOL_PACKAGES");
        if (string.IsNullOrEmpty(packages))
        {
            packages = dir.File("packages");
            var configuration = typeof(ToolPackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
            // --no-build: the tests already built the CLI in this configuration.
            await RunAsync("dotnet", ["pack", RepoPaths.File("src/AsyncFetcher.Cli"), "-c", configuration, "--no-build", "-o", packages]);
        }
        Assert.True(Directory.EnumerateFiles(packages, "asyncfetch.*.nupkg").Any(), $"no asyncfetch package in {packages}");
        // Only the local folder as a source, and a fresh package cache: the tool installed is the one just packed.
        var config = dir.File("nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var tools = dir.File("tools");

        await RunAsync("dotnet", ["tool", "install", "asyncfetch", "--tool-path", tools, "--configfile", config]);
        var version = await RunAsync(Path.Combine(tools, "asyncfetch"), ["--version"]);
        var demo = await RunAsync(Path.Combine(tools, "asyncfetch"), ["demo", "crawl", "--depth", "0", "--quiet"]);

        Assert.StartsWith(typeof(ToolPackageTests).Assembly.GetName().Version!.ToString(3), version, StringComparison.Ordinal);
        // The demo needs the files shipped beside the tool: appsettings.json and examples/site.
        Assert.Contains("\"title\":\"Example site\"", demo, StringComparison.Ordinal);
    }

    private async Task<string> RunAsync(string file, string[] args)
    {
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = dir.File("nuget-cache"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        var run = await ProcessRunner.RunAsync(file, args, dir.Path, TimeSpan.FromMinutes(3), environment);
        Assert.True(run.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        return run.Stdout;
    }
}
