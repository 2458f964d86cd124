namespace AsyncFetcher.Cli.Commands;

/// <summary>The exit codes: 0 done, 1 fatal, 2 bad usage or input, 130 Ctrl+C, 143 SIGTERM. Errors are one line on standard error.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    public static int Usage(string message)
    {
        Console.Error.WriteLine($"asyncfetch: error: {message}");
        return 2;
    }

    public static int Fatal(string message)
    {
        Console.Error.WriteLine($"asyncfetch: error: {message}");
        return 1;
    }
}
