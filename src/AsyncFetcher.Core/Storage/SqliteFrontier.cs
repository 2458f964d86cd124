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
    private readonly SqliteCommand hopsDone;
    private readonly SqliteCommand release;
    private readonly SqliteCommand dropHops;
    private readonly SqliteCommand saveCheckpoint;
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
        take = Prepare("SELECT id, url, depth, parent, scope_host FROM urls WHERE state = 1 ORDER BY id LIMIT $max", "$max");
        // The taken batch is exactly the pending rows up to the last id read: one statement, one index range.
        markTaken = Prepare("UPDATE urls SET state = 2 WHERE state = 1 AND id <= $last", "$last");
        markDone = Prepare("UPDATE urls SET state = 3 WHERE url = $url", "$url");
        hopsDone = Prepare("UPDATE urls SET state = 3 WHERE state = 0 AND origin = $url", "$url");
        release = Prepare("UPDATE urls SET state = 1 WHERE url = $url AND state = 2", "$url");
        dropHops = Prepare("DELETE FROM urls WHERE state = 0 AND origin = $url", "$url");
        saveCheckpoint = Prepare("UPDATE checkpoint SET pages = $pages, output = $output, output_length = $length", "$pages", "$output", "$length");
    }

    /// <summary>Opens (or creates) the state file (<see cref="SqliteStateFile.Open"/>) for a crawl; <paramref name="fresh"/> empties it first, under its lock.</summary>
    /// <exception cref="InvalidDataException">The file is another SQLite database, or from another version.</exception>
    /// <exception cref="FrontierFailedException">The file cannot be opened or created, or is in use by another crawl.</exception>
    public static SqliteFrontier Open(string path, bool fresh = false) => new(SqliteStateFile.Open(path, fresh), path);

    public ValueTask<CrawlCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT pages, output, output_length FROM checkpoint";
            command.Transaction = transaction;
            using var reader = command.ExecuteReader();
            reader.Read();
            return ValueTask.FromResult(new CrawlCheckpoint(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2)));
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
                Execute(markDone, request.Key);
                Execute(hopsDone, request.Key);
            }
            Execute(saveCheckpoint, checkpoint.Pages, checkpoint.Output, checkpoint.OutputLength);
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
        foreach (var command in new[] { insert, take, markTaken, markDone, hopsDone, release, dropHops, saveCheckpoint })
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
                batch.Add(new CrawlRequest(new Uri(reader.GetString(1)), reader.GetInt32(2), parent, reader.GetString(4)));
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

    private void ThrowIfFailed()
    {
        if (failure is not null)
        {
            throw failure;
        }
    }

    /// <summary>Remembers the first failure, in the user's words (<see cref="SqliteStateFile.Describe"/>), and returns it to throw.</summary>
    private FrontierFailedException Failed(SqliteException e) => failure ??= new FrontierFailedException(SqliteStateFile.Describe(e, path), e);

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
