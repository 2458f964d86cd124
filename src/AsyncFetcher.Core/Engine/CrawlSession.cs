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

    /// <summary>A record could not be written: closing the output then tries no more (the same error again would hide the first).</summary>
    private bool writeFailed;

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
            throw new CrawlSetupException(FileErrors.Line("cannot write", options.Output, e), badInput: false, e);
        }
    }

    /// <summary>
    /// Runs the crawl: each record is written (and flushed) to the output, then handed on. Cancelling
    /// <paramref name="stopToken"/> is a graceful stop (<see cref="CrawlEngine.RunAsync(IEnumerable{Uri}, OutputCursor?, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="CrawlFailedException">The output or the WARC could not be written, or the frontier failed; the message says which, and why.</exception>
    public async IAsyncEnumerable<CrawlResult> RunAsync(IReadOnlyList<Uri> seeds, [EnumeratorCancellation] CancellationToken stopToken)
    {
        var records = engine.RunAsync(seeds, cursor, archive, stopToken).GetAsyncEnumerator(CancellationToken.None);
        await using (records.ConfigureAwait(false))
        {
            while (await NextAsync(records).ConfigureAwait(false))
            {
                if (await WriteAsync(records.Current).ConfigureAwait(false) is { } result)
                {
                    yield return result;
                }
            }
        }
    }

    /// <summary>Flushes and closes the output and the WARC; after a failed write, quietly (see <see cref="writeFailed"/>).</summary>
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
        finally
        {
            await DisposeWarcAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask DisposeWarcAsync()
    {
        try
        {
            if (warc is not null)
            {
                await warc.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (writeFailed && e is IOException or UnauthorizedAccessException)
        {
            // As for the output: the failure was reported, the WARC ends with the last whole record.
        }
    }

    /// <summary>
    /// Archives the record's exchanges (--warc), then writes its result to the output; returns the result, or
    /// null for a record that only carries exchanges (a robots.txt fetch).
    /// </summary>
    private async ValueTask<CrawlResult?> WriteAsync(CrawlRecord record)
    {
        using (record)
        {
            if (warc is not null && record.Captures.Count > 0)
            {
                try
                {
                    await warc.WriteAsync(record.Captures, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    writeFailed = true;
                    throw new CrawlFailedException(FileErrors.Line("cannot write", warc.CurrentPath, e), e);
                }
            }
            if (record.Result is { } result)
            {
                try
                {
                    await writer.WriteAsync(result, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    writeFailed = true;
                    throw new CrawlFailedException(FileErrors.Line("cannot write", OutputName, e), e);
                }
            }
            return record.Result;
        }
    }

    /// <summary>The engine's next record; a frontier that failed becomes the crawl's failure.</summary>
    private static async ValueTask<bool> NextAsync(IAsyncEnumerator<CrawlRecord> records)
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
            throw new CrawlSetupException(FileErrors.Line("cannot write", options.Warc, e), badInput: false, e);
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
