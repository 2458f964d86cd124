using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Packaging;

/// <summary>
/// The folder of dotnet tool packages the tests install from: CI makes them once with .ci/pack-tool and
/// names the folder in ASYNCFETCH_TOOL_PACKAGES; otherwise this fixture runs .ci/pack-tool itself (minutes:
/// two Native AOT builds), once for the whole test class.
/// </summary>
public sealed class ToolPackages : IAsyncLifetime
{
    private readonly TempDirectory dir = new("packages");

    /// <summary>The folder holding asyncfetch.&lt;version&gt;.nupkg and its RID-specific packages.</summary>
    public string Folder { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var packed = Environment.GetEnvironmentVariable("ASYNCFETCH_TOOL_PACKAGES");
        if (!string.IsNullOrEmpty(packed))
        {
            Folder = packed;
            return;
        }
        Folder = dir.File("packages");
        var run = await ProcessRunner.RunAsync("bash", [RepoPaths.File(".ci/pack-tool"), Folder], RepoPaths.Root, TimeSpan.FromMinutes(20));
        Assert.True(run.ExitCode == 0, $".ci/pack-tool exited {run.ExitCode}:\n{run.Stdout}\n{run.Stderr}");
    }

    public Task DisposeAsync()
    {
        dir.Dispose();
        return Task.CompletedTask;
    }
}
