using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using AsyncFetcher.Core.Model;

namespace AsyncFetcher.Core.Output.Warc;

/// <summary>
/// Writes the crawl's WARC 1.1 file (ISO 28500:2017): a <c>warcinfo</c> record first, then for
/// each capture a <c>request</c>, a <c>response</c> (or, for a 304 that confirms an earlier
/// capture, a <c>revisit</c>) and, for a page parsed for links, a <c>metadata</c> record with its
/// outlinks. Each record is its own gzip member, so a reader can seek to any record; a fetch's
/// records are written together, then flushed, like a JSONL line, and never split across files.
/// </summary>
/// <remarks>
/// With <c>--warc-max-size</c> the next fetch goes to a new file once the current one has reached
/// the size (<see cref="WarcFiles"/>). If a write fails (a full disk), the file is cut back to where
/// the fetch's records began, so what is on disk stays a WARC that readers accept to its end.
/// </remarks>
internal sealed class WarcWriter : IAsyncDisposable
{
    public const string ServerNotModified = "http://netpreserve.org/warc/1.1/revisit/server-not-modified";

    private static readonly byte[] RecordEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>
    /// No FileStream buffer (the deflater buffers its output already): a write that fails on a full disk
    /// leaves nothing behind in a buffer that cutting the file back would try to flush, and fail on again.
    /// </summary>
    private const int Unbuffered = 0;

    private readonly WarcFiles files;
    private readonly long maxSize;
    private readonly byte[] info;
    private readonly TimeProvider time;
    private FileStream file;
    private int index;
    private string? infoId;

    /// <summary>The current file holds a fetch's records, not only its warcinfo: it may be closed for the next.</summary>
    private bool holdsRecords;

    private WarcWriter(WarcFiles files, long maxSize, byte[] info, TimeProvider time, FileStream file, int index)
    {
        this.files = files;
        this.maxSize = maxSize;
        this.info = info;
        this.time = time;
        this.file = file;
        this.index = index;
        holdsRecords = file.Length > 0;
    }

    /// <summary>The file written to now.</summary>
    public string CurrentPath => files.PathOf(index);

    /// <summary>The length of the current file, everything written flushed.</summary>
    public long Length => file.Length;

    /// <summary>
    /// Opens the WARC for a crawl. A new crawl (or one without a state file) starts it anew. A crawl
    /// resumed from <paramref name="checkpoint"/> goes on in the file it names, cut back to its
    /// saved length (records written after the last saved page belong to pages fetched again), and
    /// removes later files of the series.
    /// </summary>
    /// <param name="path">The --warc path.</param>
    /// <param name="maxSize">--warc-max-size; 0 = one file.</param>
    /// <param name="checkpoint">What the state saved; null without a state file.</param>
    /// <param name="infoFields">The warcinfo record's fields (<see cref="WarcInfo"/>).</param>
    /// <returns>The writer, and what the resume dropped (bytes cut, files removed), for the log.</returns>
    /// <exception cref="InvalidDataException">The state names a file of this WARC that is missing or shorter than saved.</exception>
    public static async Task<(WarcWriter Writer, long CutBytes, int CutFiles)> OpenAsync(string path, long maxSize, CrawlCheckpoint? checkpoint, string infoFields, TimeProvider time, CancellationToken cancellationToken)
    {
        var files = new WarcFiles(Path.GetFullPath(path), maxSize > 0);
        var info = Encoding.UTF8.GetBytes(infoFields);
        if (checkpoint is not null && files.IndexOf(checkpoint.Warc) is { } index)
        {
            var current = files.PathOf(index);
            var length = File.Exists(current) ? new FileInfo(current).Length : -1;
            if (length < checkpoint.WarcLength)
            {
                throw new InvalidDataException(length < 0
                    ? $"'{current}' is missing; the state's crawl wrote {checkpoint.WarcLength} bytes to it (use --fresh to start over, or another --warc)"
                    : $"'{current}' is shorter ({length} bytes) than the state's crawl wrote to it ({checkpoint.WarcLength}); use --fresh to start over, or another --warc");
            }
            var resumed = new FileStream(current, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, Unbuffered, FileOptions.Asynchronous);
            if (length > checkpoint.WarcLength)
            {
                resumed.SetLength(checkpoint.WarcLength);
            }
            resumed.Seek(0, SeekOrigin.End);
            // The run's warcinfo record is written before its first records, so a run that adds none adds nothing.
            return (new WarcWriter(files, maxSize, info, time, resumed, index), length - checkpoint.WarcLength, files.DeleteAfter(index));
        }
        var stale = files.DeleteAfter(0);
        var writer = new WarcWriter(files, maxSize, info, time, Create(files.PathOf(0)), 0);
        try
        {
            // A new file starts with its warcinfo record at once: even a crawl that archives nothing leaves a valid WARC.
            await writer.WriteInfoAsync(cancellationToken).ConfigureAwait(false);
            await writer.file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return (writer, 0, stale);
    }

    /// <summary>Writes the records of one fetch (its redirect hops, or a robots.txt), and flushes them.</summary>
    /// <exception cref="IOException">The file could not be written; it was cut back to before these records.</exception>
    public async ValueTask WriteAsync(IReadOnlyList<HttpCapture> captures, CancellationToken cancellationToken)
    {
        if (maxSize > 0 && holdsRecords && file.Length >= maxSize)
        {
            await RotateAsync(cancellationToken).ConfigureAwait(false);
        }
        var start = file.Length;
        try
        {
            if (infoId is null)
            {
                await WriteInfoAsync(cancellationToken).ConfigureAwait(false);
            }
            foreach (var capture in captures)
            {
                if (capture.SpoolError is { } spoolError)
                {
                    throw new IOException(spoolError.Message, spoolError);
                }
                if (capture.IsComplete && capture.Status is not null)
                {
                    await WriteCaptureAsync(capture, cancellationToken).ConfigureAwait(false);
                }
            }
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
            holdsRecords = true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            Rollback(start);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await file.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>WARC-Date: UTC, to the microsecond, as WARC 1.1 allows (warcio writes the same).</summary>
    internal static string FormatDate(DateTimeOffset date) =>
        date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static FileStream Create(string path) =>
        new(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, Unbuffered, FileOptions.Asynchronous);

    private async Task RotateAsync(CancellationToken cancellationToken)
    {
        await file.DisposeAsync().ConfigureAwait(false);
        index++;
        file = Create(files.PathOf(index));
        infoId = null;
        holdsRecords = false;
    }

    private async Task WriteInfoAsync(CancellationToken cancellationToken)
    {
        infoId = WarcRecordIds.New();
        var header = new StringBuilder()
            .Field("WARC-Type", "warcinfo")
            .Field("WARC-Record-ID", infoId)
            .Field("WARC-Date", FormatDate(time.GetUtcNow()))
            .Field("WARC-Filename", Path.GetFileName(CurrentPath))
            .Field("WARC-Block-Digest", Sha1(info))
            .Field("Content-Type", "application/warc-fields");
        await WriteRecordAsync(header, info.Length, s => s.WriteAsync(info, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteCaptureAsync(HttpCapture capture, CancellationToken cancellationToken)
    {
        var date = FormatDate(capture.Date);
        var target = capture.Target.AbsoluteUri;
        var revisit = capture.Status == 304 && capture.Revisits is not null;
        var request = capture.Request;
        var requestHeader = Common("request", WarcRecordIds.New(), date, target, capture.IpAddress)
            .Field("WARC-Concurrent-To", capture.ResponseRecordId)
            .Field("WARC-Block-Digest", Sha1(request.Span))
            .Field("Content-Type", "application/http;msgtype=request");
        await WriteRecordAsync(requestHeader, request.Length, s => s.WriteAsync(request, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);

        var responseHeader = Common(revisit ? "revisit" : "response", capture.ResponseRecordId, date, target, capture.IpAddress);
        if (revisit)
        {
            var earlier = capture.Revisits!;
            responseHeader.Field("WARC-Profile", ServerNotModified).Field("WARC-Refers-To-Target-URI", target);
            if (earlier.RecordId is not null)
            {
                responseHeader.Field("WARC-Refers-To", earlier.RecordId);
            }
            responseHeader.Field("WARC-Refers-To-Date", FormatDate(earlier.CapturedAt ?? earlier.FetchedAt));
            if (earlier.PayloadDigest is not null)
            {
                // The payload of a server-not-modified revisit is the earlier capture's (WARC 1.1 section 6.7.3).
                responseHeader.Field("WARC-Payload-Digest", earlier.PayloadDigest);
            }
        }
        else
        {
            responseHeader.Field("WARC-Payload-Digest", capture.PayloadDigest!);
        }
        responseHeader.Field("WARC-Block-Digest", capture.BlockDigest!);
        if (capture.Truncated)
        {
            responseHeader.Field("WARC-Truncated", "length");
        }
        responseHeader.Field("Content-Type", "application/http;msgtype=response");
        await WriteRecordAsync(responseHeader, capture.Response.Length, s => capture.Response.CopyToAsync(s, cancellationToken), cancellationToken).ConfigureAwait(false);

        if (capture.Outlinks is not null)
        {
            var fields = new StringBuilder();
            if (capture.Provenance is { } provenance)
            {
                if (provenance.Via is not null)
                {
                    fields.Field("via", provenance.Via);
                }
                fields.Field("hopsFromSeed", provenance.Hops).Field("fetchTimeMs", provenance.FetchTimeMs.ToString(CultureInfo.InvariantCulture));
            }
            foreach (var link in capture.Outlinks)
            {
                fields.Field("outlink", link.AbsoluteUri);
            }
            var block = Encoding.UTF8.GetBytes(fields.ToString());
            var metadataHeader = Common("metadata", WarcRecordIds.New(), date, target, null)
                .Field("WARC-Concurrent-To", capture.ResponseRecordId)
                .Field("WARC-Block-Digest", Sha1(block))
                .Field("Content-Type", "application/warc-fields");
            await WriteRecordAsync(metadataHeader, block.Length, s => s.WriteAsync(block, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The fields every record of a capture has.</summary>
    private StringBuilder Common(string type, string id, string date, string target, string? ip)
    {
        var header = new StringBuilder()
            .Field("WARC-Type", type)
            .Field("WARC-Record-ID", id)
            .Field("WARC-Date", date)
            .Field("WARC-Target-URI", target);
        if (ip is not null)
        {
            header.Field("WARC-IP-Address", ip);
        }
        return header.Field("WARC-Warcinfo-ID", infoId!);
    }

    /// <summary>One record as one gzip member: the version line and <paramref name="fields"/>, Content-Length, the block, and the two line ends that close it.</summary>
    private async Task WriteRecordAsync(StringBuilder fields, long length, Func<Stream, Task> block, CancellationToken cancellationToken)
    {
        fields.Field("Content-Length", length.ToString(CultureInfo.InvariantCulture));
        var head = Encoding.UTF8.GetBytes("WARC/1.1\r\n" + fields + "\r\n");
        // The fastest level: compression runs on the consumer of the records, and a slower one would hold the crawl back.
        var gzip = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            await gzip.WriteAsync(head, cancellationToken).ConfigureAwait(false);
            await block(gzip).ConfigureAwait(false);
            await gzip.WriteAsync(RecordEnd, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Rollback(long start)
    {
        try
        {
            file.SetLength(start);
            file.Seek(0, SeekOrigin.End);
        }
        catch (IOException)
        {
            // The file cannot even be cut: the resume's cut (to the saved length) is the remedy then.
        }
    }

    private static string Sha1(ReadOnlySpan<byte> bytes) => "sha1:" + Base32.Encode(SHA1.HashData(bytes));
}
