using AsyncFetcher.Cli.Commands;
using AsyncFetcher.Testing;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>Help that teaches: every option with its default and unit, then examples.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task Crawl_help_lists_every_option_with_its_default_then_examples()
    {
        var run = await CliRunner.RunAsync(["crawl", "--help"]);

        Assert.Equal(0, run.ExitCode);
        var help = run.Stdout.ReplaceLineEndings("\n");
        // Help wraps long descriptions to the console width: compare with whitespace collapsed.
        var flat = string.Join(' ', help.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        foreach (var (flag, key, defaultText, _) in new CrawlFlags().Table())
        {
            Assert.Contains(flag, help, StringComparison.Ordinal);
            if (key is not null && !IsSwitch(flag))
            {
                Assert.Contains($"[default: {defaultText}]", flat, StringComparison.Ordinal);
            }
        }
        Assert.Contains("--timeout <duration>", help, StringComparison.Ordinal);
        Assert.Contains("--max-body <size>", help, StringComparison.Ordinal);
        Assert.Contains("--max-body <size> Largest body read: bytes, or 512KiB, 10MiB; longer bodies are cut and marked truncated. Memory: at most this per page in flight, plus 1 MiB without a Content-Length [default: 10MiB]", flat, StringComparison.Ordinal);
        var examples = help.IndexOf("Examples:", StringComparison.Ordinal);
        Assert.True(examples > help.IndexOf("--max-body", StringComparison.Ordinal), "examples come after the options");
        foreach (var example in CrawlCommand.Examples)
        {
            Assert.Contains("  " + example, help, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Crawl_help_groups_its_options_into_sections_in_order()
    {
        var run = await CliRunner.RunAsync(["crawl", "--help"]);

        var lines = run.Stdout.ReplaceLineEndings("\n").Split('\n');
        var headings = lines.Where(l => l.Length > 0 && !l.StartsWith(' ') && l.EndsWith(':')).ToList();
        Assert.Equal(["Description:", "Usage:", "Arguments:", .. CrawlHelpLayout.Sections.Select(s => s + ":"), "Examples:"], headings);
        foreach (var (flag, _, _, _) in new CrawlFlags().Table())
        {
            // Each option is listed under its section's heading, before the next one.
            var at = Array.FindIndex(lines, l => l.StartsWith("  ", StringComparison.Ordinal) && l.Split("  ", StringSplitOptions.RemoveEmptyEntries)[0].Split(", ").Any(n => n.Split(' ')[0] == flag));
            var heading = lines.Take(at).Last(l => headings.Contains(l));
            Assert.Equal(CrawlHelpLayout.SectionOf(flag) + ":", heading);
        }
        Assert.Contains("  -?, -h, --help", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_flag_has_a_help_section()
    {
        // A new option joins a section with one row in CrawlHelpLayout.
        Assert.All(new CrawlFlags().Table(), f => Assert.True(CrawlHelpLayout.SectionOf(f.Flag) is not null, $"{f.Flag} has no row in CrawlHelpLayout"));
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var run = await CliRunner.RunAsync(["--version"]);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith(typeof(CrawlCommand).Assembly.GetName().Version!.ToString(3), run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("asyncfetch crawl --max-p", new[] { "--max-pages", "--max-per-host" })]
    [InlineData("asyncfetch crawl --scope ", new[] { "any", "domain", "host" })]
    [InlineData("asyncfetch rep", new[] { "report" })]
    public async Task The_suggest_directive_completes_commands_options_and_values(string line, string[] expected)
    {
        var run = await CliRunner.RunAsync([$"[suggest:{line.Length}]", line]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected, run.StdoutLines);
    }

    private static bool IsSwitch(string flag) => flag is "--sort-query" or "--no-robots" or "--follow-nofollow" or "--fresh" or "--quiet" or "--allow-private" or "--send-url-credentials" or "--recrawl";
}
