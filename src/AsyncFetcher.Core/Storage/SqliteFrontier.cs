// Over 300 lines: one type, the frontier's steps on the state file, each wrapped in the same failure handling (a full disk, a damaged file); the file itself (schema, lock, upgrade) is SqliteStateFile.
using AsyncFetcher.Core.Model;
using AsyncFetcher.Core.Scheduling;
using Microsoft.Data.Sqlite;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// The frontier in a SQLite file (<c>--state</c>): one row per URL, keyed by the URL, in one of
/// four states (seen, pending, taken, done), so the seen set, the queue and the done set all live
/// on disk and memory holds only the engine's window, however large the crawl. Rows are taken in
/// insertion order (the rowid), so the crawl stays breadth-first across runs.
/// <para>
/// Every change goes into one open transaction, which <see cref="CompleteAsync"/> commits with
/// the pages it marks done and the checkpoint: one transaction per completion, holding the links
/// discovered since the last one. A page's links are added before it can be completed, so a page
/// saved as done always has its links saved; a crash loses only uncommitted work, whose pages are
/// not done and are fetched again (and taken rows are pending again on open anyway).
/// </para>
/// </summary>
/// <remarks>
/// Microsoft.Data.Sqlite's async methods run synchronously (SQLite has no async I/O), so this class
/// calls the synchronous API and returns completed tasks instead of pretending. WAL with
/// synchronous=NORMAL: a commit survives a killed process (kill -9), not a power cut, like the
/// output file, which is flushed but not fsynced. The file is locked while open: two crawls
/// cannot share one state.
/// <para>
/// A SQLite failure mid-crawl (a full disk, a file damaged or made read-only under the crawl) ends the
/// crawl with one <see cref="FrontierFailedException"/> that says which; every later step, and closing,
/// then leaves the file alone, so what was committed before stays as it was.
/// </para>
/// </remarks>
internal sealed class SqliteFrontier : IFrontier, IDisposable
{
    // Adds without a completion between them (a long seed list) are committed this many at a time.
    private const int MaxUncommitted = 10_000;

    private readonly SqliteConnection connection;

    /// <summary>The state file as the user named it, for the line a failure ends in.</summary>
    private readonly string path;
    private readonly SqliteCommand insert;
    private readonly SqliteCommand take;
    private readonly SqliteCommand markTaken;
    private readonly SqliteCommand markDone;
    private readonly SqliteCommand markDoneVersion;
    private readonly SqliteCommand hopsDone;
    private readonly SqliteCommand release;
    private readonly SqliteCommand dropHops;
    private readonly SqliteCommand saveCheckpoint;
    private readonly SqliteCommand skipUnmodified;

    /// <summary>A re-crawl is under way: a page queued again that a sitemap says was not modified since its last fetch is not fetched.</summary>
    private bool recrawling;
    private SqliteTransaction? transaction;
    private int uncommitted;

    /// <summary>The failure that ended the crawl, if one did: later steps throw it again and touch nothing.</summary>
    private FrontierFailedException? failure;

    private SqliteFrontier(SqliteConnection connection, string path)
    {
        this.connection = connection;
        this.path = path;
        insert = Prepare("INSERT OR IGNORE INTO urls (url, state, depth, parent, scope_host, origin) VALUES ($url, $state, $depth, $parent, $scope, $origin)",
            "$url", "$state", "$depth", "$parent", "$scope", "$origin");
        take = Prepare("""
            SELECT id, url, depth, parent, scope_host, status, etag, last_modified, body_hash, fetched_at, captured_at, record_id, payload_digest
            FROM urls WHERE state = 1 ORDER BY id LIMIT $max
            """, "$max");
        // The taken batch is exactly the pending rows up to the last id read: one statement, one index range.
        markTaken = Prepare("UPDATE urls SET state = 2 WHERE state = 1 AND id <= $last", "$last");
        markDone = Prepare("UPDATE urls SET state = 3 WHERE url = $url", "$url");
        markDoneVersion = Prepare("""
            UPDATE urls SET state = 3, status = $status, etag = $etag, last_modified = $modified, body_hash = $hash,
                fetched_at = $fetched, captured_at = $captured, record_id = $record, payload_digest = $digest
            WHERE url = $url
            """, "$url", "$status", "$etag", "$modified", "$hash", "$fetched", "$captured", "$record", "$digest");
        hopsDone = Prepare("UPDATE urls SET state = 3 WHERE state = 0 AND origin = $url", "$url");
        release = Prepare("UPDATE urls SET state = 1 WHERE url = $url AND state = 2", "$url");
        dropHops = Prepare("DELETE FROM urls WHERE state = 0 AND origin = $url", "$url");
        skipUnmodified = Prepare($"UPDATE urls SET state = {SqliteStateFile.Done} WHERE url = $url AND state = {SqliteStateFile.Pending} AND fetched_at >= $modified",
            "$url", "$modified");
        saveCheckpoint = Prepare("UPDATE checkpoint SET pages = $pages, output = $output, output_length = $length, warc = $warc, warc_length = $warcLength",
            "$pages", "$output", "$length", "$warc", "$warcLength");
    }

    /// <summary>Opens (or creates) the state file (<see cref="SqliteStateFile.Open"/>) for a crawl; <paramref name="fresh"/> empties it first, under its lock.</summary>
    /// <exception cref="InvalidDataException">The file is another SQLite database, or from another version.</exception>
    /// <exception cref="FrontierFailedException">The file cannot be opened or created, or is in use by another crawl.</exception>
    public static SqliteFrontier Open(string path, bool fresh = false) => new(SqliteStateFile.Open(path, fresh), path);

    /// <summary>Opens the state file for a re-crawl (<see cref="SqliteStateFile.StartRecrawl"/>): the pages it knows are queued again.</summary>
    /// <returns>The frontier, and the round, whether it starts now, and the pages queued.</returns>
    public static (SqliteFrontier Frontier, long Round, bool Started, long Queued) OpenForRecrawl(string path, DateTimeOffset? fetchedBefore, bool fresh = false)
    {
        var connection = SqliteStateFile.Open(path, fresh);
        try
        {
            var (round, started, queued) = SqliteStateFile.StartRecrawl(connection, fetchedBefore);
            return (new SqliteFrontier(connection, path) { recrawling = true }, round, started, queued);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT pages, output, output_length, warc, warc_length FROM checkpoint";
            command.Transaction = transaction;
            using var reader = command.ExecuteReader();
            reader.Read();
            return ValueTask.FromResult(new CrawlCheckpoint(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2))
            {
                Warc = reader.IsDBNull(3) ? null : reader.GetString(3),
                WarcLength = reader.GetInt64(4),
            });
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    public ValueTask<bool> AddAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            var added = Insert(request, SqliteStateFile.Pending, origin: null);
            if (++uncommitted >= MaxUncommitted)
            {
                // A long seed list is saved as it goes, not in one huge transaction.
                Commit();
            }
            return ValueTask.FromResult(added);
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    /// <summary>
    /// Queues what a sitemap lists. On a re-crawl, a page queued again whose <c>&lt;lastmod&gt;</c> is no later than
    /// its last fetch is taken off the queue instead: the site says it has not changed, so it is not asked again.
    /// </summary>
    public async ValueTask AddListedAsync(IReadOnlyList<ListedUrl> listed, CancellationToken cancellationToken)
    {
        foreach (var item in listed)
        {
            if (recrawling && item.LastModified is { } modified && SkipUnmodified(item.Request, modified))
            {
                continue;
            }
            await AddAsync(item.Request, cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask<bool> MarkSeenAsync(CrawlRequest hop, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            return ValueTask.FromResult(Insert(hop, SqliteStateFile.Seen, hop.Origin.Key));
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    public ValueTask<IReadOnlyList<CrawlRequest>> TakeAsync(int max, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            return ValueTask.FromResult<IReadOnlyList<CrawlRequest>>(Take(max));
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    public ValueTask CompleteAsync(IReadOnlyList<CrawlRequest> done, CrawlCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            foreach (var request in done)
            {
                if (request.Version is { } v)
                {
                    Execute(markDoneVersion, request.Key, v.Status, v.ETag, v.LastModified, v.BodyHash, v.FetchedAt.ToUnixTimeMilliseconds(),
                        Microseconds(v.CapturedAt), v.RecordId, v.PayloadDigest);
                }
                else
                {
                    Execute(markDone, request.Key);
                }
                Execute(hopsDone, request.Key);
            }
            Execute(saveCheckpoint, checkpoint.Pages, checkpoint.Output, checkpoint.OutputLength, checkpoint.Warc, checkpoint.WarcLength);
            Commit();
            return ValueTask.CompletedTask;
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    public ValueTask ReleaseAsync(CrawlRequest request, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            // The row keeps its id, so a released URL is taken again in its breadth-first place.
            Execute(release, request.Key);
            Execute(dropHops, request.Key);
            return ValueTask.CompletedTask;
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Commits what is left and closes the file. Never throws: after a failure nothing more is written, and a
    /// last commit that fails loses nothing a resume needs (links not committed belong to pages not saved as
    /// done, which are fetched again; taken rows go back to pending when the file is next opened).
    /// </summary>
    public void Dispose()
    {
        if (failure is null)
        {
            try
            {
                Commit();
            }
            catch (SqliteException)
            {
                // See above: the last commit is only an early save.
            }
        }
        try
        {
            transaction?.Dispose();
        }
        catch (Exception e) when (e is SqliteException or InvalidOperationException)
        {
            // SQLite rolled the transaction back itself when the statement failed.
        }
        transaction = null;
        foreach (var command in new[] { insert, take, markTaken, markDone, markDoneVersion, hopsDone, release, dropHops, saveCheckpoint, skipUnmodified })
        {
            command.Dispose();
        }
        connection.Dispose();
    }

    private List<CrawlRequest> Take(int max)
    {
        var batch = new List<CrawlRequest>();
        take.Transaction = Transaction();
        take.Parameters[0].Value = max;
        long last = 0;
        using (var reader = take.ExecuteReader())
        {
            while (reader.Read())
            {
                last = reader.GetInt64(0);
                var parent = reader.IsDBNull(3) ? null : reader.GetString(3);
                batch.Add(new CrawlRequest(new Uri(reader.GetString(1)), reader.GetInt32(2), parent, reader.GetString(4)) { Version = ReadVersion(reader) });
            }
        }
        if (batch.Count > 0)
        {
            Execute(markTaken, last);
        }
        return batch;
    }

    /// <summary>What a killed process leaves: the open transaction is lost, the file is closed. For tests.</summary>
    internal void CloseWithoutCommit()
    {
        transaction?.Rollback();
        transaction?.Dispose();
        transaction = null;
        Dispose();
    }

    /// <summary>Takes <paramref name="request"/> off a re-crawl's queue when its last fetch is no older than <paramref name="modified"/>; true if it was.</summary>
    private bool SkipUnmodified(CrawlRequest request, DateTimeOffset modified)
    {
        ThrowIfFailed();
        try
        {
            return Execute(skipUnmodified, request.Key, modified.ToUnixTimeMilliseconds()) == 1;
        }
        catch (SqliteException e)
        {
            throw Failed(e);
        }
    }

    private void ThrowIfFailed()
    {
        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>Remembers the first failure, in the user's words (<see cref="SqliteStateFile.Describe"/>), and returns it to throw.</summary>
    private FrontierFailedException Failed(SqliteException e) => failure ??= new FrontierFailedException(SqliteStateFile.Describe(e, path), e);

    /// <summary>What the row says of the page's last fetch (columns 5-12 of <see cref="take"/>); null when it was never fetched.</summary>
    private static PageVersion? ReadVersion(SqliteDataReader reader) => reader.IsDBNull(9) ? null : new PageVersion
    {
        Status = reader.IsDBNull(5) ? null : reader.GetInt32(5),
        ETag = reader.IsDBNull(6) ? null : reader.GetString(6),
        LastModified = reader.IsDBNull(7) ? null : reader.GetString(7),
        BodyHash = reader.IsDBNull(8) ? null : reader.GetString(8),
        FetchedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(9)),
        CapturedAt = reader.IsDBNull(10) ? null : DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64(10) * 10),
        RecordId = reader.IsDBNull(11) ? null : reader.GetString(11),
        PayloadDigest = reader.IsDBNull(12) ? null : reader.GetString(12),
    };

    /// <summary>A WARC-Date to the microsecond it is written with, since the Unix epoch: a revisit record quotes it exactly.</summary>
    private static long? Microseconds(DateTimeOffset? time) => time is { } t ? (t - DateTimeOffset.UnixEpoch).Ticks / 10 : null;

    private bool Insert(CrawlRequest request, long state, string? origin) =>
        Execute(insert, request.Key, state, request.Depth, request.Parent, request.ScopeHost, origin) == 1;

    private int Execute(SqliteCommand command, params object?[] values)
    {
        command.Transaction = Transaction();
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    /// <summary>The open write transaction; every change goes into it until the next commit.</summary>
    private SqliteTransaction Transaction() => transaction ??= connection.BeginTransaction();

    private void Commit()
    {
        if (transaction is not null)
        {
            transaction.Commit();
            transaction.Dispose();
            transaction = null;
            uncommitted = 0;
        }
    }
}
