using System.Collections;
using System.Reflection;
using System.Text;
using AsyncFetcher.Cli.Commands;
using AsyncFetcher.Cli.Hosting;
using AsyncFetcher.Core;
using AsyncFetcher.Testing;
using Microsoft.Extensions.Configuration;

namespace AsyncFetcher.Cli.Tests.Commands;

/// <summary>
/// The settings documentation cannot drift from the code: README.md's options table, the flags
/// and appsettings.json are each checked against <see cref="CrawlOptions"/>.
/// </summary>
public sealed class OptionsTableTests
{
    /// <summary>Settings whose default is computed (the User-Agent carries the build's version), so appsettings.json leaves them out.</summary>
    private static readonly HashSet<string> ComputedDefaults = [nameof(CrawlOptions.UserAgent)];

    private static readonly IReadOnlyList<PropertyInfo> Settings =
        [.. typeof(CrawlOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite)];

    [Fact]
    public void Every_setting_has_a_flag()
    {
        var keys = new CrawlFlags().Table().Select(f => f.Key).OfType<string>().ToList();

        Assert.Equal(Settings.Select(p => p.Name).Order(), keys.Order());
    }

    [Fact]
    public void The_README_options_table_lists_every_flag_with_its_default_key_and_environment_variable()
    {
        var expected = new CrawlFlags().Table().Select(f => Row(f.Flag, f.Key, f.Default, f.Description)).ToList();
        var readme = File.ReadAllLines(RepoPaths.File("README.md"));
        var header = Array.FindIndex(readme, l => l.StartsWith("| flag |", StringComparison.Ordinal));
        Assert.True(header >= 0, "README.md has no options table (a line starting with '| flag |'). Paste:\n" + Table(expected));
        var rows = readme.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).Select(Cells).ToList();

        var missing = expected.Where(e => !rows.Any(r => r[0] == e.Cells[0])).ToList();
        Assert.True(missing.Count == 0, "README.md's options table lacks these rows:\n" + Table(missing));
        foreach (var row in rows)
        {
            var match = expected.SingleOrDefault(e => e.Cells[0] == row[0]);
            Assert.True(match.Cells is not null, $"README.md's options table has a row for {row[0]}, which is not a flag of asyncfetch crawl");
            Assert.True(match.Cells.Take(4).SequenceEqual(row.Take(4)),
                $"README.md's row for {row[0]} says | {string.Join(" | ", row.Take(4))} |, the code says:\n{match.Line}");
        }
        Assert.Equal(expected.Count, rows.Count);
    }

    [Fact]
    public void Appsettings_json_documents_every_setting_with_its_default()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(RepoPaths.File("appsettings.json")).Build();
        DurationSettings.Normalize(configuration);
        var section = configuration.GetSection(CrawlOptions.Section);
        var bound = section.Get<CrawlOptions>()!;
        var defaults = new CrawlOptions();

        foreach (var setting in Settings)
        {
            Assert.True(section.GetSection(setting.Name).Exists() || ComputedDefaults.Contains(setting.Name),
                $"appsettings.json has no Crawl:{setting.Name}");
            var expected = setting.GetValue(defaults);
            var actual = setting.GetValue(bound);
            if (expected is IEnumerable list and not string)
            {
                Assert.Equal(list.Cast<object>(), ((IEnumerable)actual!).Cast<object>());
            }
            else
            {
                Assert.True(Equals(expected, actual), $"appsettings.json sets Crawl:{setting.Name} to {actual}, the default is {expected}");
            }
        }
    }

    private static (string[] Cells, string Line) Row(string flag, string? key, string defaultText, string description)
    {
        var type = key is null ? null : typeof(CrawlOptions).GetProperty(key)!.PropertyType;
        // A list is bound from numbered keys: the environment variable names its first item.
        var isList = type is not null && type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type);
        string[] cells =
        [
            $"`{flag}`",
            $"`{defaultText}`",
            key is null ? "—" : $"`{CrawlOptions.Section}:{key}`",
            key is null ? "—" : $"`ASYNCFETCH_{CrawlOptions.Section.ToUpperInvariant()}__{key.ToUpperInvariant()}{(isList ? "__0" : "")}`",
            Meaning(description),
        ];
        return (cells, "| " + string.Join(" | ", cells) + " |");
    }

    /// <summary>The help text without its "[default: ...]", which has its own column.</summary>
    private static string Meaning(string description)
    {
        var at = description.LastIndexOf(" [default: ", StringComparison.Ordinal);
        return (at < 0 ? description : description[..at]).Replace("|", "\\|", StringComparison.Ordinal);
    }

    private static string[] Cells(string line) =>
        [.. line.Trim().Trim('|').Split(" | ").Select(c => c.Trim())];

    private static string Table(IEnumerable<(string[] Cells, string Line)> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(row.Line);
        }
        return text.ToString();
    }
}
