using System.Diagnostics;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Packaging;

/// <summary>
/// asyncfetch as a .NET tool, installed into a tool path from the packages .ci/pack-tool made, as a user
/// would: `asyncfetch` points at one package per runtime identifier, Native AOT where there is one
/// (linux-x64, linux-arm64), the framework-dependent `any` package everywhere else.
/// </summary>
public sealed class ToolPackageTests(ToolPackages packages) : IClassFixture<ToolPackages>, IDisposable
{
    /// <summary>The platforms .ci/pack-tool builds a Native AOT package for.</summary>
    private static readonly string[] NativeRids = ["linux-x64", "linux-arm64"];

    private readonly TempDirectory dir = new("tool");

    public void Dispose() => dir.Dispose();

    [Fact]
    public async Task The_tool_installed_on_linux_x64_is_the_native_binary_and_runs_without_the_dotnet_host()
    {
        // .ci/run sets ASYNCFETCH_TOOL_AOT=0, with a warning, when the Native AOT link failed on the machine.
        var expectNative = NativeRids.Contains(RuntimeInformation.RuntimeIdentifier)
            && Environment.GetEnvironmentVariable("ASYNCFETCH_TOOL_AOT") != "0";

        var tool = await InstallAsync(packages.Folder);
        var entry = new FileInfo(tool).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? tool;
        var traced = await RunAsync(tool, ["--version"], new() { ["COREHOST_TRACE"] = "1" });

        Assert.StartsWith(typeof(ToolPackageTests).Assembly.GetName().Version!.ToString(3), traced.Stdout, StringComparison.Ordinal);
        if (expectNative)
        {
            // The command is the binary of asyncfetch.<rid> itself: no managed asyncfetch.dll beside it, and no
            // .NET host starts (the host writes its trace to standard error when COREHOST_TRACE=1).
            Assert.Equal(RuntimeInformation.RuntimeIdentifier, Path.GetFileName(Path.GetDirectoryName(entry)));
            Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(entry)!, "asyncfetch.dll")), $"asyncfetch.dll beside {entry}");
            Assert.DoesNotContain("Tracing enabled", traced.Stderr, StringComparison.Ordinal);
            await AssertHugePagesAskedForAsync(entry);
        }
        else
        {
            Assert.Contains("Tracing enabled", traced.Stderr, StringComparison.Ordinal);
        }
        await AssertDemoRunsAsync(tool);
    }

    [Fact]
    public async Task Where_no_native_package_fits_the_any_package_installs_and_runs_through_dotnet()
    {
        // What a platform without its own package (Windows, macOS) sees: the pointer's list resolves to `any`.
        var feed = Directory.CreateDirectory(dir.File("any-only")).FullName;
        var any = Directory.EnumerateFiles(packages.Folder, "asyncfetch.any.*.nupkg").Single();
        File.Copy(any, Path.Combine(feed, Path.GetFileName(any)));
        KeepOnlyTheAnyPackage(PointerPackage(packages.Folder), Path.Combine(feed, Path.GetFileName(PointerPackage(packages.Folder))));

        var tool = await InstallAsync(feed);
        var dll = Directory.EnumerateFiles(Path.Combine(dir.File("tools"), ".store"), "asyncfetch.dll", SearchOption.AllDirectories).Single();
        var traced = await RunAsync(tool, ["--version"], new() { ["COREHOST_TRACE"] = "1" });
        var throughDotnet = await RunAsync("dotnet", [dll, "--version"]);

        Assert.Contains("Tracing enabled", traced.Stderr, StringComparison.Ordinal);
        Assert.Equal(traced.Stdout, throughDotnet.Stdout);
        await AssertDemoRunsAsync(tool);
    }

    [Fact]
    public void The_package_users_install_names_only_packages_that_were_made_and_native_ones_for_linux()
    {
        // A platform whose package is missing would fail to install rather than fall back to `any`.
        var pointer = PointerPackage(packages.Folder);
        var version = Path.GetFileNameWithoutExtension(pointer)["asyncfetch.".Length..];
        using var zip = ZipFile.OpenRead(pointer);
        using var read = zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml").Open();
        var named = XDocument.Load(read).Descendants("RuntimeIdentifierPackage").ToDictionary(
            r => (string)r.Attribute("RuntimeIdentifier")!, r => (string)r.Attribute("Id")!);

        Assert.All(named.Values, id => Assert.True(File.Exists(Path.Combine(packages.Folder, $"{id}.{version}.nupkg")), $"{id}.{version}.nupkg is named but missing"));
        Assert.Equal("asyncfetch.any", named["any"]);
        if (Environment.GetEnvironmentVariable("ASYNCFETCH_TOOL_AOT") != "0")
        {
            Assert.Contains("linux-x64", named.Keys);
        }
    }

    private static string PointerPackage(string folder) =>
        Directory.EnumerateFiles(folder, "asyncfetch.*.nupkg").Single(p => char.IsDigit(Path.GetFileName(p)["asyncfetch.".Length]));

    /// <summary>Copies the pointer package with its list of RID-specific packages cut down to `any`.</summary>
    private static void KeepOnlyTheAnyPackage(string pointer, string copy)
    {
        File.Copy(pointer, copy);
        using var zip = ZipFile.Open(copy, ZipArchiveMode.Update);
        var entry = zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml");
        XDocument settings;
        using (var read = entry.Open())
        {
            settings = XDocument.Load(read);
        }
        var rids = settings.Descendants("RuntimeIdentifierPackage").ToList();
        Assert.Contains(rids, r => (string?)r.Attribute("RuntimeIdentifier") == "any");
        rids.Where(r => (string?)r.Attribute("RuntimeIdentifier") != "any").Remove();
        entry.Delete();
        using var write = zip.CreateEntry(entry.FullName).Open();
        settings.Save(write);
    }

    /// <summary>Installs asyncfetch from <paramref name="feed"/> alone, with an empty package cache, and returns the command's path.</summary>
    private async Task<string> InstallAsync(string feed)
    {
        Assert.True(Directory.EnumerateFiles(feed, "asyncfetch.*.nupkg").Any(), $"no asyncfetch package in {feed}");
        var config = dir.File("nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        var tools = dir.File("tools");
        await RunAsync("dotnet", ["tool", "install", "asyncfetch", "--tool-path", tools, "--configfile", config]);
        return Path.Combine(tools, "asyncfetch");
    }

    /// <summary>The demo needs the files shipped beside the tool: appsettings.json and examples/site.</summary>
    private async Task AssertDemoRunsAsync(string tool)
    {
        var demo = await RunAsync(tool, ["demo", "crawl", "--depth", "0", "--quiet"]);
        Assert.Contains("\"title\":\"Example site\"", demo.Stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// The native binary asks for transparent huge pages for the data Native AOT expands at start-up
    /// (Hosting/HydratedHugePages.c): the anonymous mapping that follows the binary's own carries the kernel's
    /// "hg" flag (madvise(MADV_HUGEPAGE)), whatever the machine's huge page setting. Read mid-crawl, from /proc.
    /// </summary>
    private static async Task AssertHugePagesAskedForAsync(string binary)
    {
        var release = new TaskCompletionSource();
        await using var site = await LocalSite.StartAsync();
        site.Map("/", async context =>
        {
            await release.Task.WaitAsync(TimeSpan.FromMinutes(1));
            await Responses.Html(context, "page");
        });
        using var crawl = Process.Start(new ProcessStartInfo(binary, ["crawl", site.Url("/").AbsoluteUri, "--max", "1", "--depth", "0", "--no-robots", "--quiet", "--output", "/dev/null"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        string[] smaps;
        try
        {
            await site.WaitForRequestsAsync(1, TimeSpan.FromMinutes(1));
            smaps = await File.ReadAllLinesAsync($"/proc/{crawl.Id}/smaps");
        }
        finally
        {
            release.TrySetResult();
            await crawl.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        // Each mapping is a header line ("start-end perms offset dev inode [path]"), then its details, VmFlags last.
        var mappings = new List<(string Header, string Flags)>();
        foreach (var line in smaps)
        {
            if (line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                mappings[^1] = (mappings[^1].Header, line);
            }
            else if (Regex.IsMatch(line, "^[0-9a-f]+-[0-9a-f]+ "))
            {
                mappings.Add((line, ""));
            }
        }
        var last = mappings.FindLastIndex(m => m.Header.EndsWith(binary, StringComparison.Ordinal));
        Assert.True(last >= 0 && last + 1 < mappings.Count, $"no mapping after {binary}'s in /proc/{crawl.Id}/smaps");
        var data = mappings[last + 1];
        Assert.Contains(" hg", data.Flags, StringComparison.Ordinal);
    }

    private async Task<CliResult> RunAsync(string file, string[] args, Dictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = dir.File("nuget-cache"),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var (key, value) in extra ?? [])
        {
            environment[key] = value;
        }
        var run = await ProcessRunner.RunAsync(file, args, dir.Path, TimeSpan.FromMinutes(3), environment);
        Assert.True(run.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
        return run;
    }
}
