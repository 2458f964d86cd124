using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// The exit codes, in this one place: <see cref="Table"/> is what README's table says (a test compares
/// them). Every error is one line on standard error, <c>asyncfetch: error: ...</c>.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    public const int FatalError = 1;

    public const int BadUsage = 2;

    public const int NothingFetched = 4;

    public const int Interrupted = 130;

    public const int Terminated = 143;

    /// <summary>Every exit code with what it means, as README's "Exit codes" table shows it.</summary>
    public static readonly IReadOnlyList<(int Code, string Meaning)> Table =
    [
        (Ok, "the crawl completed (pages that failed are records, not a failure of the run), or `--deadline` ended it"),
        (FatalError, "a fatal error: the output or the state cannot be written (full disk, read-only), the state is damaged or in use, the shared frontier is out of reach for `--frontier-timeout` or was lost"),
        (BadUsage, "bad usage or input: unknown option, bad value, unreadable seed file, no seed URL"),
        (NothingFetched, "not one page could be fetched: every URL was refused, unreachable or failed without a response (like wget's network failure)"),
        (Interrupted, "interrupted by Ctrl+C; the output holds every record completed so far"),
        (Terminated, "stopped by SIGTERM (`kill`, `timeout`, a service manager), as after Ctrl+C"),
    ];

    public static int Usage(string message, System.CommandLine.ParseResult? parse = null)
    {
        Console.Error.WriteLine($"asyncfetch: error: {message}");
        if (parse is not null)
        {
            Console.Error.WriteLine($"Try '{CommandPath(parse)} --help'.");
        }
        return BadUsage;
    }

    /// <summary>"asyncfetch crawl", "asyncfetch demo crawl": the command the user typed, for "Try ... --help".</summary>
    public static string CommandPath(System.CommandLine.ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Command is System.CommandLine.RootCommand ? "asyncfetch" : result.Command.Name);
        }
        return string.Join(' ', names);
    }

    /// <summary>A fatal error before any log line was written: the line, exit 1.</summary>
    public static int Fatal(string message)
    {
        Console.Error.WriteLine($"asyncfetch: error: {message}");
        return FatalError;
    }

    /// <summary>
    /// An error once the crawl's host runs: the line goes through its logger, so it comes after every line
    /// logged before it (the console logger writes from a queue), and returns <paramref name="code"/>.
    /// </summary>
    public static int Fail(ILogger logger, string message, int code = FatalError)
    {
        logger.LogError("{Message}", message);
        return code;
    }
}
