using System.CommandLine;
using System.Runtime.InteropServices;
using AsyncFetcher.Cli.Demos;
using AsyncFetcher.Loopback;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// <c>asyncfetch demo &lt;name&gt;</c>: runnable, offline demonstrations, each against a site served
/// in-process on loopback: one per concept (<see cref="DemoCatalog"/>), and <c>demo crawl</c>, which
/// crawls the bundled example site with the real engine.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The folder holding the bundled example site (examples/site), next to the binary.</summary>
    private static string ExampleRoot => Path.Combine(AppContext.BaseDirectory, "examples", "site");

    public static Command Create()
    {
        var command = new Command("demo", "Run an offline demo of a concept (see --list)");
        var list = new Option<bool>("--list") { Description = "List the demos" };
        command.Options.Add(list);
        foreach (var demo in DemoCatalog.All)
        {
            command.Subcommands.Add(CreateDemo(demo));
        }
        command.Subcommands.Add(CreateCrawl());
        command.SetAction(parse =>
        {
            if (!parse.GetValue(list))
            {
                return ExitCodes.Usage("name a demo, or use --list to see them");
            }
            foreach (var demo in command.Subcommands)
            {
                Console.WriteLine($"{demo.Name,-16} {demo.Description}");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateDemo(IDemo demo)
    {
        var command = new Command(demo.Name, demo.Summary);
        command.SetAction(async (_, cancellationToken) =>
        {
            // Program.cs leaves Ctrl+C to the commands: here it cancels the demo's token.
            using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var ctrlC = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                interrupt.Cancel();
            });
            try
            {
                await demo.RunAsync(Console.Out, interrupt.Token);
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
            {
                Console.Error.WriteLine("asyncfetch: demo interrupted");
                return 130;
            }
        });
        return command;
    }

    private static Command CreateCrawl()
    {
        var flags = new CrawlFlags();
        var command = new Command("crawl", "Serve examples/site on loopback and crawl it with the real engine (takes every crawl option)");
        flags.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var site = await LocalSite.StartAsync(ExampleRoot, TimeSpan.FromMilliseconds(20), cancellationToken);
            Console.Error.WriteLine($"asyncfetch: serving examples/site at {site.BaseUrl}");
            var exit = await CrawlCommand.RunAsync(parse, flags, [new Uri(site.BaseUrl, "index.html").AbsoluteUri], cancellationToken);
            Console.Error.WriteLine($"asyncfetch: the site served {site.Requests} request(s), at most {site.PeakInFlight} at once");
            return exit;
        });
        return command;
    }
}
