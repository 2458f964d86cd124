using AsyncFetcher.Loopback;
using AsyncFetcher.Testing;
using Microsoft.Data.Sqlite;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// What a user meets when the disk under the output or the state fills up, when the state is damaged,
/// read-only or in use, with the real binary: one <c>asyncfetch: error:</c> line naming the cause, exit 1,
/// no stack trace, and what was saved is whole, so the same command carries on once the cause is fixed.
/// Full disks and read-only mounts are made in a mount namespace of the test's own (<see cref="MountNamespace"/>).
/// </summary>
public sealed class DiskFaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory dir = new("disk");

    public DiskFaultTests()
    {
        Directory.CreateDirectory(Disk);
        Directory.CreateDirectory(Kept);
    }

    public void Dispose() => dir.Dispose();

    /// <summary>Where the small disk is mounted: empty outside the namespace.</summary>
    private string Disk => dir.File("disk");

    /// <summary>Where what the small disk held is kept between runs.</summary>
    private string Kept => dir.File("kept");

    [Theory]
    [InlineData("--output")]
    [InlineData("--summary-json")]
    [InlineData("--report")]
    public async Task A_full_disk_under_a_file_written_is_one_line_naming_it_and_exit_1(string option)
    {
        await using var site = await LocalSite.StartAsync();
        site.Links("/");

        var run = await CliRunner.RunAsync(["crawl", site.Url("/").AbsoluteUri, option, "/dev/full", "--quiet"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("asyncfetch: error: no space left on the disk holding '/dev/full'", Assert.Single(run.StderrLines));
    }

    [Fact]
    public async Task A_full_disk_under_the_output_is_one_line_and_the_same_command_resumes_with_every_page_once()
    {
        await using var site = await SiteAsync();
        var output = Path.Combine(Disk, "out.jsonl");
        string[] command = ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--state", dir.File("crawl.db"), "-o", output, "--quiet"];

        var full = await CliRunner.RunAsync(command, wrapper: MountNamespace.SmallDisk(Disk, "64k", Kept), timeout: Patience);
        var resumed = await CliRunner.RunAsync(command, wrapper: MountNamespace.SmallDisk(Disk, "64m", Kept), timeout: Patience);

        Assert.Equal(1, full.ExitCode);
        Assert.Equal($"asyncfetch: error: no space left on the disk holding '{output}'", Assert.Single(full.StderrLines));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertEveryPageOnce(Path.Combine(Kept, "out.jsonl"));
    }

    [Fact]
    public async Task A_full_disk_under_the_state_is_one_line_and_the_same_command_resumes_with_every_page_once()
    {
        await using var site = await SiteAsync();
        var state = Path.Combine(Disk, "crawl.db");
        string[] command = ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--state", state, "-o", dir.File("out.jsonl"), "--quiet"];

        var full = await CliRunner.RunAsync(command, wrapper: MountNamespace.SmallDisk(Disk, "64k", Kept), timeout: Patience);
        var resumed = await CliRunner.RunAsync(command, wrapper: MountNamespace.SmallDisk(Disk, "64m", Kept), timeout: Patience);

        Assert.Equal(1, full.ExitCode);
        Assert.Equal($"asyncfetch: error: no space left on the disk holding state file '{state}'", Assert.Single(full.StderrLines));
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        AssertEveryPageOnce(dir.File("out.jsonl"));
    }

    [Fact]
    public async Task A_state_damaged_after_start_up_is_one_line_and_fresh_starts_over()
    {
        await using var site = await SiteAsync();
        var state = dir.File("crawl.db");
        string[] command = ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--state", state, "-o", dir.File("out.jsonl"), "--quiet"];
        var first = await CliRunner.RunAsync([.. command, "--max-pages", "20"]);
        // The state opens as usual; the URL index, first read when the seed is added again, is garbage.
        DamageUrlIndex(state);

        var damaged = await CliRunner.RunAsync(command);
        var fresh = await CliRunner.RunAsync([.. command, "--fresh"]);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(1, damaged.ExitCode);
        Assert.Equal($"asyncfetch: error: state file '{state}' is damaged; start over with --fresh", Assert.Single(damaged.StderrLines));
        Assert.True(fresh.ExitCode == 0, fresh.Stderr);
        AssertEveryPageOnce(dir.File("out.jsonl"));
    }

    [Fact]
    public async Task A_read_only_state_is_one_line_and_left_as_it_was()
    {
        await using var site = await SiteAsync();
        var folder = dir.File("ro");
        Directory.CreateDirectory(folder);
        var state = Path.Combine(folder, "crawl.db");
        string[] command = ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--state", state, "-o", dir.File("out.jsonl"), "--quiet"];
        var first = await CliRunner.RunAsync([.. command, "--max-pages", "5"]);
        var saved = File.ReadAllBytes(state);

        var readOnly = await CliRunner.RunAsync(command, wrapper: MountNamespace.ReadOnly(folder));
        var newState = await CliRunner.RunAsync(
            ["crawl", site.Url("/index.html").AbsoluteUri, "--state", Path.Combine(folder, "new.db"), "-o", dir.File("new.jsonl"), "--quiet"],
            wrapper: MountNamespace.ReadOnly(folder));

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(1, readOnly.ExitCode);
        Assert.Equal($"asyncfetch: error: state file '{state}' is read-only", Assert.Single(readOnly.StderrLines));
        Assert.Equal(saved, File.ReadAllBytes(state));
        Assert.Equal(1, newState.ExitCode);
        Assert.Equal($"asyncfetch: error: state file '{Path.Combine(folder, "new.db")}' cannot be written: its folder is read-only", Assert.Single(newState.StderrLines));
    }

    [Fact]
    public async Task Fresh_refuses_a_state_in_use_and_the_running_crawl_carries_on_whole()
    {
        await using var site = await SiteAsync(holdAfter: 30);
        var state = dir.File("crawl.db");
        string[] command = ["crawl", site.Url("/index.html").AbsoluteUri, "--depth", "1000", "--state", state, "--quiet"];

        CliResult fresh;
        CliResult running;
        using (var crawl = RunningCli.Start([.. command, "-o", dir.File("out.jsonl")]))
        {
            await site.WaitForRequestsAsync(31, Patience);
            // Were it let through, it would start over on the state under the running crawl; the deadline ends it.
            fresh = await CliRunner.RunAsync([.. command, "-o", dir.File("fresh.jsonl"), "--fresh", "--deadline", "2s", "--grace", "0s"]);
            site.ReleaseHeld();
            running = await crawl.WaitForExitAsync(Patience);
        }

        Assert.Equal(1, fresh.ExitCode);
        Assert.Equal($"asyncfetch: error: state file '{state}' is in use by another crawl", Assert.Single(fresh.StderrLines));
        Assert.False(File.Exists(dir.File("fresh.jsonl")));
        Assert.True(running.ExitCode == 0, running.Stderr);
        AssertEveryPageOnce(dir.File("out.jsonl"));
    }

    private static async Task<LocalSite> SiteAsync(int holdAfter = int.MaxValue)
    {
        var site = await LocalSite.StartAsync();
        site.Synthetic(pages: 300, links: 10);
        site.HoldAfter(holdAfter);
        return site;
    }

    /// <summary>Overwrites the root page of the state's URL index with garbage, as a failing disk might.</summary>
    private static void DamageUrlIndex(string state)
    {
        long page, pageSize;
        using (var connection = new SqliteConnection($"Data Source={state};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_urls_1'";
            page = (long)command.ExecuteScalar()!;
            command.CommandText = "PRAGMA page_size";
            pageSize = (long)command.ExecuteScalar()!;
        }
        using var file = new FileStream(state, FileMode.Open, FileAccess.Write);
        file.Position = (page - 1) * pageSize;
        file.Write(Enumerable.Repeat((byte)0xFF, (int)pageSize).ToArray());
    }

    private static void AssertEveryPageOnce(string output)
    {
        var text = File.ReadAllText(output);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var urls = Jsonl.Records(text).Select(r => r.GetProperty("url").GetString()!).ToList();
        Assert.Empty(urls.GroupBy(u => u).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Equal(301, urls.Count);
    }
}
