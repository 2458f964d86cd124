using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>Log lines as a command-line tool writes them: "asyncfetch: warning: message", no categories, no stack traces unless asked.</summary>
internal sealed class TerseConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "terse";

    // On a terminal the progress line may be on screen: clear it first, so a log line never lands on its tail (the next redraw puts it back below).
    internal static readonly string LineStart = Console.IsErrorRedirected ? "" : "\r\u001b[K";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var level = logEntry.LogLevel switch
        {
            LogLevel.Critical or LogLevel.Error => "error: ",
            LogLevel.Warning => "warning: ",
            LogLevel.Debug or LogLevel.Trace => "debug: ",
            _ => "",
        };
        textWriter.Write(LineStart);
        textWriter.Write("asyncfetch: ");
        textWriter.Write(level);
        textWriter.Write(message);
        if (logEntry.Exception is { } e)
        {
            textWriter.Write($" ({e.GetType().Name}: {e.Message})");
        }
        textWriter.Write(Environment.NewLine);
    }
}
