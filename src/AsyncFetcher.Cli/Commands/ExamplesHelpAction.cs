using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// The standard help (with the crawl's options in sections: <see cref="GroupedHelp"/>), followed by an Examples
/// section for the commands that have one: help that teaches by showing.
/// </summary>
internal sealed class ExamplesHelpAction(HelpAction help, IReadOnlyDictionary<Command, IReadOnlyList<string>> examples) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var exit = 0;
        if (GroupedHelp.Applies(parseResult.CommandResult.Command))
        {
            GroupedHelp.Write(parseResult, parseResult.InvocationConfiguration.Output);
        }
        else
        {
            exit = help.Invoke(parseResult);
        }
        if (examples.TryGetValue(parseResult.CommandResult.Command, out var lines))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            foreach (var line in lines)
            {
                output.WriteLine("  " + line);
            }
            output.WriteLine();
        }
        return exit;
    }
}
