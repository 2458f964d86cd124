using System.Runtime.CompilerServices;
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Output;
using AsyncFetcher.Core.Output.Warc;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AsyncFetcher.Core.Engine;

/// <summary>
/// A crawl as a command runs it, from options to records in the output: the frontier the options
/// choose, the output (standard output, a new file, or a file resumed from the frontier's
/// checkpoint), the WARC with --warc, and the engine, each of whose records is written and flushed
/// (its exchanges to the WARC first) before the next is asked for — so the engine saves a page only
/// once its record is in the output and its exchanges in the WARC.
/// </summary>
internal sealed class CrawlSession : IAsyncDisposable
{
    private readonly CrawlEngine engine;
    private readonly IResultWriter writer;
    private readonly OutputCursor? cursor;
    private readonly WarcWriter? warc;
    private readonly ArchiveCursor? archive;

    private CrawlSession(CrawlEngine engine, IResultWriter writer, OutputCursor? cursor, string outputName, WarcWriter? warc)
    {
        this.engine = engine;
        this.writer = writer;
        this.cursor = cursor;
        this.warc = warc;
        archive = warc is null ? null : new ArchiveCursor(() => warc.CurrentPath, () => warc.Length);
        OutputName = outputName;
    }

    /// <summary>The live counters of the crawl.</summary>
    public CrawlStats Stats => engine.Stats;

    /// <summary>Where the records go, as a user names it: the file, or "standard output".</summary>
    public string OutputName { get; }

    /// <summary>Opens the frontier and the output the options in <paramref name="services"/> choose, and the WARC with --warc.</summary>
    /// <param name="standardOutput">Opens standard output, when the records go there.</param>
    /// <param name="commandLine">The command's arguments (passwords in URLs masked), for the WARC's warcinfo record.</param>
    /// <exception cref="CrawlSetupException">The state or the output cannot be used.</exception>
    public static async Task<CrawlSession> OpenAsync(IServiceProvider services, Func<Stream> standardOutput, ILogger logger, CancellationToken cancellationToken, IReadOnlyList<string>? commandLine = null)
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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CrawlSetupException($"cannot use state '{options.State}': {FileErrors.Describe(e)}", badInput: false, e);
        }
        var engine = services.GetRequiredService<CrawlEngine>();
        var checkpoint = await frontier.CheckpointAsync(cancellationToken).ConfigureAwait(false);
        var warc = await OpenWarcAsync(options, checkpoint, services.GetRequiredService<TimeProvider>(), commandLine, logger, cancellationToken).ConfigureAwait(false);
        try
        {
            var (writer, cursor) = OpenOutput(options, checkpoint, standardOutput, logger);
            return new CrawlSession(engine, writer, cursor, IsStandardOutput(options) ? "standard output" : options.Output, warc);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            if (warc is not null)
            {
                await warc.DisposeAsync().ConfigureAwait(false);
            }
            throw new CrawlSetupException($"cannot write '{options.Output}': {FileErrors.Describe(e)}", badInput: false, e);
        }
    }

    /// <summary>
    /// Runs the crawl: each record is written (and flushed) to the output, then handed on. Cancelling
    /// <paramref name="stopToken"/> is a graceful stop (<see cref="CrawlEngine.RunAsync(IEnumerable{Uri}, OutputCursor?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="IOException">The output could not be written.</exception>
    /// <exception cref="OutputFileException">The WARC could not be written.</exception>
    public async IAsyncEnumerable<CrawlResult> RunAsync(IReadOnlyList<Uri> seeds, [EnumeratorCancellation] CancellationToken stopToken)
    {
        await foreach (var record in engine.RunAsync(seeds, cursor, archive, stopToken).ConfigureAwait(false))
        {
            using (record)
            {
                if (warc is not null && record.Captures.Count > 0)
                {
                    try
                    {
                        await warc.WriteAsync(record.Captures, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw new OutputFileException(warc.CurrentPath, e);
                    }
                }
                if (record.Result is not { } result)
                {
                    continue;
                }
                await writer.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
            }
            yield return record.Result;
        }
    }

    /// <summary>Flushes and closes the output and the WARC.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            if (warc is not null)
            {
                await warc.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Opens the WARC (--warc): anew, or, resuming a crawl with a state file, where its last saved page left it.
    /// </summary>
    private static async Task<WarcWriter?> OpenWarcAsync(CrawlOptions options, CrawlCheckpoint checkpoint, TimeProvider time, IReadOnlyList<string>? commandLine, ILogger logger, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Warc))
        {
            return null;
        }
        try
        {
            var resume = string.IsNullOrEmpty(options.State) ? null : checkpoint;
            var (writer, cutBytes, cutFiles) = await WarcWriter.OpenAsync(options.Warc, options.WarcMaxSize, resume, WarcInfo.Fields(options, commandLine), time, cancellationToken).ConfigureAwait(false);
            if (cutBytes > 0 || cutFiles > 0)
            {
                logger.LogInformation("{Warc}: cut {Bytes} byte(s) and removed {Files} later file(s) written after the last saved page; those pages are fetched again", writer.CurrentPath, cutBytes, cutFiles);
            }
            return writer;
        }
        catch (InvalidDataException e)
        {
            throw new CrawlSetupException($"cannot resume the WARC: {e.Message}", badInput: true, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CrawlSetupException($"cannot write '{options.Warc}': {FileErrors.Describe(e)}", badInput: false, e);
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
