namespace AsyncFetcher.Cli.Commands;

/// <summary>The exit codes: 0 done, 1 fatal, 2 bad usage or input, 130 Ctrl+C, 143 SIGTERM. Errors are one line on standard error.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    public static int Usage(string message, System.CommandLine.ParseResult? parse = null)
    {
        Console.Error.WriteLine($"asyncfetch: error: {message}");
        if (parse is not null)
        {
            Console.Error.WriteLine($"Try '{CommandPath(parse)} --help'.");
        }
        return 2;
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

    public static int Fatal(string message)
    {
        Console.Error.WriteLine($"asyncfetch: error: {message}");
        return 1;
    }
}
