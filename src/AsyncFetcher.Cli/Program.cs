using System.CommandLine;
using System.CommandLine.Help;
using AsyncFetcher.Cli.Commands;

var crawl = CrawlCommand.Create();
var report = ReportCommand.Create();
var root = new RootCommand("asyncfetch: a concurrent web crawler and fetch tool, and a course in async .NET")
{
    crawl,
    report,
    DemoCommand.Create(),
    StatusCommand.Create(),
    MergeCommand.Create(),
};

// The standard help, then examples for the commands that have them.
var help = root.Options.OfType<HelpOption>().Single();
help.Action = new ExamplesHelpAction((HelpAction)help.Action!, new Dictionary<Command, IReadOnlyList<string>>
{
    [crawl] = CrawlCommand.Examples,
    [report] = ReportCommand.Examples,
});

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && parse.Action is not ExamplesHelpAction)
{
    // One line that names the problem in the tool's words, then where to look: no usage dump, exit 2.
    return ExitCodes.Usage(ParseErrors.Describe(parse), parse);
}

// The host, not the parser, owns Ctrl+C: it turns the first into a graceful stop.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
