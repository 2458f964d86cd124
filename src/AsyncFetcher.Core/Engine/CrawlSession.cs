using System.Runtime.CompilerServices;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// A crawl as a command runs it, from options to records in the output: the frontier the options
/// choose, the output (standard output, a new file, or a file resumed from the frontier's
/// checkpoint), and the engine, each of whose records is written and flushed before the next is
/// asked for — so the engine saves a page only once its record is in the output.
/// </summary>
internal sealed class CrawlSession : IAsyncDisposable
{
    private readonly CrawlEngine engine;
    private readonly IResultWriter writer;
    private readonly OutputCursor? cursor;

    /// <summary>A record could not be written: closing the output then tries no more (the same error again would hide the first).</summary>
    private bool writeFailed;

    private CrawlSession(CrawlEngine engine, IResultWriter writer, OutputCursor? cursor, string outputName)
    {
        this.engine = engine;
        this.writer = writer;
        this.cursor = cursor;
        OutputName = outputName;
    }

    /// <summary>The live counters of the crawl.</summary>
    public CrawlStats Stats => engine.Stats;

    /// <summary>Where the records go, as a user names it: the file, or "standard output".</summary>
    public string OutputName { get; }

    /// <summary>Opens the frontier and the output the options in <paramref name="services"/> choose.</summary>
    /// <param name="standardOutput">Opens standard output, when the records go there.</param>
    /// <exception cref="CrawlSetupException">The state or the output cannot be used.</exception>
    public static async Task<CrawlSession> OpenAsync(IServiceProvider services, Func<Stream> standardOutput, ILogger logger, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<CrawlOptions>>().Value;
        IFrontier frontier;
        try
        {
            frontier = services.GetRequiredService<IFrontier>();
        }
        catch (InvalidDataException e)
        {
            throw new CrawlSetupException($"cannot use state '{options.State}': {e.Message}", badInput: true, e);
        }
        catch (FrontierFailedException e)
        {
            throw new CrawlSetupException(e.Message, badInput: false, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CrawlSetupException(FileErrors.Line("cannot use state", options.State, e), badInput: false, e);
        }
        var engine = services.GetRequiredService<CrawlEngine>();
        CrawlCheckpoint checkpoint;
        try
        {
            checkpoint = await frontier.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (FrontierFailedException e)
        {
            throw new CrawlSetupException(e.Message, badInput: false, e);
        }
        try
        {
            var (writer, cursor) = OpenOutput(options, checkpoint, standardOutput, logger);
            return new CrawlSession(engine, writer, cursor, IsStandardOutput(options) ? "standard output" : options.Output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CrawlSetupException(FileErrors.Line("cannot write", options.Output, e), badInput: false, e);
        }
    }

    /// <summary>
    /// Runs the crawl: each record is written (and flushed) to the output, then handed on. Cancelling
    /// <paramref name="stopToken"/> is a graceful stop (<see cref="CrawlEngine.RunAsync(IEnumerable{Uri}, OutputCursor?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="CrawlFailedException">The output could not be written, or the frontier failed; the message says which, and why.</exception>
    public async IAsyncEnumerable<CrawlResult> RunAsync(IReadOnlyList<Uri> seeds, [EnumeratorCancellation] CancellationToken stopToken)
    {
        var records = engine.RunAsync(seeds, cursor, stopToken).GetAsyncEnumerator(CancellationToken.None);
        await using (records.ConfigureAwait(false))
        {
            while (await NextAsync(records).ConfigureAwait(false))
            {
                try
                {
                    await writer.WriteAsync(records.Current, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    writeFailed = true;
                    throw new CrawlFailedException(FileErrors.Line("cannot write", OutputName, e), e);
                }
                yield return records.Current;
            }
        }
    }

    /// <summary>Flushes and closes the output; after a failed write, quietly (see <see cref="writeFailed"/>).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (writeFailed && e is IOException or UnauthorizedAccessException)
        {
            // The failure was reported when the write failed; the output ends with the last whole record.
        }
    }

    /// <summary>The engine's next record; a frontier that failed becomes the crawl's failure.</summary>
    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<CrawlResult> records)
    {
        try
        {
            return await records.MoveNextAsync().ConfigureAwait(false);
        }
        catch (FrontierFailedException e)
        {
            throw new CrawlFailedException(e.Message, e);
        }
    }

    private static bool IsStandardOutput(CrawlOptions options) => string.IsNullOrEmpty(options.Output) || options.Output == "-";

    /// <summary>
    /// Opens the output: standard output, or a file, truncated, unless a crawl with a state file
    /// resumes: then it is cut back to the last saved page and appended to, and its length is
    /// saved with each page (the cursor).
    /// </summary>
    private static (IResultWriter Writer, OutputCursor? Cursor) OpenOutput(CrawlOptions options, CrawlCheckpoint checkpoint, Func<Stream> standardOutput, ILogger logger)
    {
        var toStdout = IsStandardOutput(options);
        Stream stream;
        OutputCursor? cursor = null;
        if (toStdout)
        {
            stream = standardOutput();
        }
        else if (string.IsNullOrEmpty(options.State))
        {
            stream = new FileStream(options.Output, FileMode.Create, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        }
        else
        {
            var (file, cut) = OutputFile.OpenForResume(options.Output, checkpoint);
            if (cut > 0)
            {
                logger.LogInformation("{Output}: cut {Bytes} byte(s) written after the last saved page; those pages are fetched again", options.Output, cut);
            }
            stream = file;
            cursor = new OutputCursor(Path.GetFullPath(options.Output), () => file.Length);
        }
        IResultWriter writer = options.Format == OutputFormat.Csv
            ? new CsvResultWriter(stream, ownsStream: !toStdout, writeHeader: toStdout || stream.Length == 0)
            : new JsonlResultWriter(stream, ownsStream: !toStdout);
        return (writer, cursor);
    }
}
