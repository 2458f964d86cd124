using AsyncFetcher.Cli.Commands;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>README's exit codes are the ones the code has: <see cref="ExitCodes.Table"/>, row for row.</summary>
public sealed class ExitCodesTests
{
    [Fact]
    public void The_README_exit_code_table_is_the_code_s_table()
    {
        var readme = File.ReadAllLines(RepoPaths.File("README.md"));
        var section = Array.IndexOf(readme, "### Exit codes");
        Assert.True(section >= 0, "README.md has no '### Exit codes' section");
        var header = Array.FindIndex(readme, section, l => l.StartsWith("| code |", StringComparison.Ordinal));
        var rows = readme.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToList();

        Assert.Equal(ExitCodes.Table.Select(row => $"| {row.Code} | {row.Meaning} |"), rows);
    }
}
