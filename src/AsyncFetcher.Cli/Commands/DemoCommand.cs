using System.CommandLine;
using System.Runtime.InteropServices;
using AsyncFetcher.Cli.Demos;
using AsyncFetcher.Loopback;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// <c>asyncfetch demo [name]</c>: runnable, offline demonstrations, each against a site served in-process on
/// loopback. With no name (or <c>all</c>) it runs the whole course, every demo in chapter order
/// (<see cref="DemoCourse"/>); with a name, one concept (<see cref="DemoCatalog"/>); <c>demo crawl</c> crawls
/// the bundled example site with the real engine. Ctrl+C stops a demo or the course with exit code 130.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The folder holding the bundled example site (examples/site), next to the binary.</summary>
    private static string ExampleRoot => Path.Combine(AppContext.BaseDirectory, "examples", "site");

    public static Command Create()
    {
        var command = new Command("demo", "Run the course: every offline demo in chapter order; or one demo by name (see --list)");
        var list = new Option<bool>("--list") { Description = "List the demos" };
        command.Options.Add(list);
        foreach (var demo in DemoCatalog.All)
        {
            command.Subcommands.Add(CreateDemo(demo));
        }
        command.Subcommands.Add(CreateCrawl());
        var all = new Command("all", "Run every demo in chapter order, as `asyncfetch demo` alone does");
        all.SetAction((_, cancellationToken) => RunInterruptibleAsync(token => DemoCourse.RunAsync(DemoCatalog.Chapters, Console.Out, token), cancellationToken));
        command.Subcommands.Add(all);
        command.SetAction((parse, cancellationToken) =>
        {
            if (!parse.GetValue(list))
            {
                return RunInterruptibleAsync(token => DemoCourse.RunAsync(DemoCatalog.Chapters, Console.Out, token), cancellationToken);
            }
            foreach (var demo in command.Subcommands)
            {
                Console.WriteLine($"{demo.Name,-16} {demo.Description}");
            }
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command CreateDemo(IDemo demo)
    {
        var command = new Command(demo.Name, demo.Summary);
        command.SetAction((_, cancellationToken) => RunInterruptibleAsync(token => demo.RunAsync(Console.Out, token), cancellationToken));
        return command;
    }

    /// <summary>Runs <paramref name="run"/> with a token that Ctrl+C cancels: 0 when it ends, 130 when interrupted.</summary>
    private static async Task<int> RunInterruptibleAsync(Func<CancellationToken, Task> run, CancellationToken cancellationToken)
    {
        // Program.cs leaves Ctrl+C to the commands: here it cancels the demo's token.
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var ctrlC = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            if (interrupt.IsCancellationRequested)
            {
                // A second Ctrl+C: do not wait for the demo to notice the first, as `crawl` does not.
                Environment.Exit(130);
            }
            interrupt.Cancel();
        });
        try
        {
            await run(interrupt.Token);
            // A demo that ended on its own just as Ctrl+C came was still interrupted.
            return interrupt.IsCancellationRequested ? Interrupted() : ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            return Interrupted();
        }

        static int Interrupted()
        {
            Console.Error.WriteLine("asyncfetch: demo interrupted");
            return 130;
        }
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
