using Microsoft.Extensions.Logging;

namespace AsyncFetcher.Cli.Hosting;

/// <summary>
/// Log lines as a command-line tool writes them, "asyncfetch: warning: message" (no categories, no stack
/// traces), to standard error, on the thread that logs them.
/// </summary>
/// <remarks>
/// Not the console logger: that one queues lines for a thread of its own, started (and waited for) while
/// the host is built, and reads its options through the options system; together a tenth of a one-page
/// crawl's start-up under Native AOT. A crawler logs a handful of lines, so writing each at once costs
/// nothing, and a line is on the terminal before the next thing happens (a signal's exit, the summary).
/// The host's level filters (appsettings.json's "Logging" section, --quiet) still decide what is written.
/// </remarks>
internal sealed class TerseLogger : ILogger, ILoggerProvider
{
    // On a terminal the progress line may be on screen: clear it first, so a log line never lands on its tail (the next redraw puts it back below).
    internal static readonly string LineStart = Console.IsErrorRedirected ? "" : "\r\u001b[K";

    public ILogger CreateLogger(string categoryName) => this;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            // One whole line in one write: lines from two threads never interleave.
            Console.Error.Write(Line(logLevel, formatter(state, exception), exception));
        }
    }

    public static string Line(LogLevel level, string message, Exception? exception = null)
    {
        var label = level switch
        {
            LogLevel.Critical or LogLevel.Error => "error: ",
            LogLevel.Warning => "warning: ",
            LogLevel.Debug or LogLevel.Trace => "debug: ",
            _ => "",
        };
        var cause = exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})";
        return $"{LineStart}asyncfetch: {label}{message}{cause}{Environment.NewLine}";
    }

    public void Dispose()
    {
    }
}
