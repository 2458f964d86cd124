using System.CommandLine;
using System.CommandLine.Help;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// Help for a command with the crawl's many options (<c>crawl</c>, <c>demo crawl</c>): the standard layout
/// (description, usage, arguments), with the options in sections (<see cref="CrawlHelpLayout"/>) instead of
/// one long list. System.CommandLine 2.0 keeps its help builder to itself, so this writes the same layout.
/// </summary>
internal static class GroupedHelp
{
    /// <summary>Whether <paramref name="command"/> has options the layout groups.</summary>
    public static bool Applies(Command command) => command.Options.Any(o => CrawlHelpLayout.SectionOf(o.Name) is not null);

    public static void Write(ParseResult parse, TextWriter output)
    {
        var command = parse.CommandResult.Command;
        var path = ExitCodes.CommandPath(parse);
        output.WriteLine("Description:");
        output.WriteLine("  " + command.Description);
        output.WriteLine();
        output.WriteLine("Usage:");
        output.WriteLine($"  {path}{string.Concat(command.Arguments.Select(a => $" <{a.Name}>{(a.Arity.MaximumNumberOfValues > 1 ? "..." : "")}"))} [options]");
        output.WriteLine();

        var rows = command.Options
            .Where(o => !o.Hidden)
            .Concat(command.Parents.OfType<Command>().SelectMany(p => p.Options).Where(o => o.Recursive && o is HelpOption))
            .OrderBy(o => CrawlHelpLayout.OrderOf(o.Name))
            .Select(o => (Section: CrawlHelpLayout.SectionOf(o.Name) ?? CrawlHelpLayout.Sections[^1], Name: Names(o), Description: CrawlFlags.DescriptionOf(o)))
            .ToList();
        var arguments = command.Arguments.Select(a => (Name: $"<{a.Name}>", a.Description)).ToList();
        var width = rows.Select(r => r.Name.Length).Concat(arguments.Select(a => a.Name.Length)).Max() + 2;
        var lineWidth = Console.IsOutputRedirected ? int.MaxValue : Math.Max(60, Console.WindowWidth - 1);
        if (arguments.Count > 0)
        {
            output.WriteLine("Arguments:");
            foreach (var (name, description) in arguments)
            {
                WriteRow(output, name, description, width, lineWidth);
            }
            output.WriteLine();
        }
        foreach (var section in CrawlHelpLayout.Sections)
        {
            var inSection = rows.Where(r => r.Section == section).ToList();
            if (inSection.Count == 0)
            {
                continue;
            }
            output.WriteLine(section + ":");
            foreach (var row in inSection)
            {
                WriteRow(output, row.Name, row.Description, width, lineWidth);
            }
            output.WriteLine();
        }
    }

    /// <summary>"-c, --max, --concurrency &lt;n&gt;": short names first, as the standard help writes them.</summary>
    private static string Names(Option option)
    {
        if (option is HelpOption)
        {
            return "-?, -h, --help";
        }
        var names = option.Aliases.Append(option.Name).Distinct(StringComparer.Ordinal)
            .OrderBy(n => n.StartsWith("--", StringComparison.Ordinal) ? 1 : 0)
            .ThenBy(n => n == option.Name ? 0 : 1);
        var value = option.ValueType == typeof(bool) ? "" : $" <{option.HelpName ?? "value"}>";
        return string.Join(", ", names) + value;
    }

    /// <summary>Writes a name and its description, the description wrapped at the terminal's width (not when redirected, as the standard help).</summary>
    private static void WriteRow(TextWriter output, string name, string? description, int width, int lineWidth)
    {
        var words = (description ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var line = new System.Text.StringBuilder("  " + name.PadRight(width));
        var empty = true;
        foreach (var word in words)
        {
            if (!empty && line.Length + 1 + word.Length > lineWidth)
            {
                output.WriteLine(line.ToString().TrimEnd());
                line.Clear().Append(' ', width + 2);
                empty = true;
            }
            line.Append(empty ? "" : " ").Append(word);
            empty = false;
        }
        output.WriteLine(line.ToString().TrimEnd());
    }
}
