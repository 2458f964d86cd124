using System.CommandLine;
using AsyncFetcher.Cli.Commands;

var root = new RootCommand("asyncfetch: a concurrent web crawler and fetch tool, and a course in async .NET")
{
    CrawlCommand.Create(),
    DemoCommand.Create(),
    StatusCommand.Create(),
    MergeCommand.Create(),
};

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not System.CommandLine.Help.HelpAction)
{
    // One line that names the problem, then where to look: no usage dump, exit 2.
    return ExitCodes.Usage(parse.Errors[0].Message, parse);
}

// The host, not the parser, owns Ctrl+C: it turns the first into a graceful stop.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
