using Microsoft.Data.Sqlite;

namespace AsyncFetcher.Core.Storage;

/// <summary>
/// The <c>--state</c> file itself: opening or creating it with its schema, telling it from another
/// SQLite database or another version, locking it for one crawl, and putting back what a killed or
/// stopped run had taken. <see cref="SqliteFrontier"/> runs the crawl's steps on the connection it opens.
/// </summary>
internal static class SqliteStateFile
{
    /// <summary>"AFC1" in PRAGMA application_id: tells a state file from another SQLite database.</summary>
    private const long ApplicationId = 0x41464331;
    /// <summary>2: page versions (for re-crawls) and the WARC's place in the checkpoint; files of version 1 are upgraded on open.</summary>
    private const long SchemaVersion = 2;

    /// <summary>A row's state: a redirect hop's URL, seen (so it is not queued as a link) while its origin is taken.</summary>
    public const long Seen = 0;

    /// <summary>A row's state: queued.</summary>
    public const long Pending = 1;

    /// <summary>A row's state: taken by the running crawl, not done yet.</summary>
    public const long Taken = 2;

    /// <summary>A row's state: done, its record written.</summary>
    public const long Done = 3;

    /// <summary>
    /// Opens (or creates) the state file, locked for this crawl. URLs a killed or stopped run had taken
    /// go back to pending, and the redirect hops they had marked seen are forgotten (the origin's chain
    /// is followed again).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is another SQLite database, or from another version.</exception>
    /// <exception cref="IOException">The file cannot be opened or created, or is in use by another crawl.</exception>
    public static SqliteConnection Open(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pooling: closing must release the file (for --fresh, and for the next run).
            Pooling = false,
            // How long to wait for a lock: a state in use by another crawl fails fast instead of waiting.
            DefaultTimeout = 1,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            Initialise(connection);
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw e.SqliteErrorCode switch
            {
                SQLitePCL.raw.SQLITE_NOTADB => new InvalidDataException("not an asyncfetch state file (not a SQLite database)", e),
                SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => new IOException("in use by another crawl", e),
                SQLitePCL.raw.SQLITE_CANTOPEN => new IOException("cannot open or create it", e),
                _ => new IOException(e.Message, e),
            };
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Deletes a state file and its WAL companions (<c>--fresh</c>).</summary>
    public static void Delete(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(path + suffix);
        }
    }

    private static void Initialise(SqliteConnection connection)
    {
        // Exclusive locking before WAL: the file stays locked while open (no second crawl on it),
        // and the WAL index lives in memory rather than in a -shm file.
        Scalar(connection, "PRAGMA locking_mode = EXCLUSIVE");
        Scalar(connection, "PRAGMA journal_mode = WAL");
        Scalar(connection, "PRAGMA synchronous = NORMAL");
        // A 32 MiB page cache (the default is 2 MiB): the URL index of a large crawl stays mostly in memory.
        Scalar(connection, "PRAGMA cache_size = -32768");
        var application = (long)Scalar(connection, "PRAGMA application_id")!;
        if (application == 0)
        {
            if ((long)Scalar(connection, "SELECT count(*) FROM sqlite_master")! > 0)
            {
                throw new InvalidDataException("not an asyncfetch state file (it is another SQLite database)");
            }
            using var create = connection.BeginTransaction();
            NonQuery(connection, """
                CREATE TABLE urls (
                    id INTEGER PRIMARY KEY,
                    url TEXT NOT NULL UNIQUE,
                    state INTEGER NOT NULL,
                    depth INTEGER NOT NULL,
                    parent TEXT,
                    scope_host TEXT NOT NULL,
                    origin TEXT);
                -- Partial indexes: only pending rows (the queue) and seen hops are indexed, so
                -- completing a page rewrites its row and nothing else.
                CREATE INDEX urls_pending ON urls (id) WHERE state = 1;
                CREATE INDEX urls_hops ON urls (origin) WHERE state = 0;
                CREATE TABLE checkpoint (
                    id INTEGER PRIMARY KEY CHECK (id = 0),
                    pages INTEGER NOT NULL,
                    output TEXT,
                    output_length INTEGER NOT NULL);
                INSERT INTO checkpoint VALUES (0, 0, NULL, 0);
                """, create);
            Upgrade(connection, create);
            Scalar(connection, $"PRAGMA application_id = {ApplicationId}", create);
            Scalar(connection, $"PRAGMA user_version = {SchemaVersion}", create);
            create.Commit();
        }
        else if (application != ApplicationId)
        {
            throw new InvalidDataException("not an asyncfetch state file");
        }
        else if ((long)Scalar(connection, "PRAGMA user_version")! is var version && version != SchemaVersion)
        {
            if (version != 1)
            {
                throw new InvalidDataException("written by another version of asyncfetch; use --fresh to start over");
            }
            // A state file of the version before: its crawl carries on, and its pages get versions from now on.
            using var upgrade = connection.BeginTransaction();
            Upgrade(connection, upgrade);
            Scalar(connection, $"PRAGMA user_version = {SchemaVersion}", upgrade);
            upgrade.Commit();
        }

        using var reset = connection.BeginTransaction();
        Scalar(connection, $"UPDATE urls SET state = {Pending} WHERE state = {Taken}", reset);
        Scalar(connection, $"DELETE FROM urls WHERE state = {Seen}", reset);
        reset.Commit();
    }

    /// <summary>
    /// Version 1 to 2: what each page was when last fetched (status, validators, body hash, when, and
    /// where its content is archived), the WARC's file and length in the checkpoint, and the re-crawl
    /// round. Added columns only: SQLite adds them without rewriting a row.
    /// </summary>
    private static void Upgrade(SqliteConnection connection, SqliteTransaction transaction) => NonQuery(connection, """
        ALTER TABLE urls ADD COLUMN status INTEGER;
        ALTER TABLE urls ADD COLUMN etag TEXT;
        ALTER TABLE urls ADD COLUMN last_modified TEXT;
        ALTER TABLE urls ADD COLUMN body_hash TEXT;
        ALTER TABLE urls ADD COLUMN fetched_at INTEGER;
        ALTER TABLE urls ADD COLUMN captured_at INTEGER; -- microseconds since 1970, as the WARC-Date is written
        ALTER TABLE urls ADD COLUMN record_id TEXT;
        ALTER TABLE urls ADD COLUMN payload_digest TEXT;
        ALTER TABLE checkpoint ADD COLUMN warc TEXT;
        ALTER TABLE checkpoint ADD COLUMN warc_length INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE checkpoint ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
        """, transaction);

    /// <summary>
    /// Starts a re-crawl (<c>--recrawl</c>), unless one is under way and unfinished: then it goes on.
    /// Every page done (last fetched before <paramref name="fetchedBefore"/>, when given) is queued
    /// again, in its old place, so the re-crawl is breadth-first like the crawl; the redirect hops
    /// its pages led to are forgotten, to be followed again; the page count starts again for --max-pages.
    /// </summary>
    /// <returns>The round (1 for the first re-crawl), whether it was started now, and the pages queued again.</returns>
    public static (long Round, bool Started, long Queued) StartRecrawl(SqliteConnection connection, DateTimeOffset? fetchedBefore)
    {
        var round = (long)Scalar(connection, "SELECT round FROM checkpoint")!;
        var waiting = (long)Scalar(connection, $"SELECT count(*) FROM urls WHERE state IN ({Pending}, {Taken})")!;
        if (round > 0 && waiting > 0)
        {
            return (round, false, waiting);
        }
        using var start = connection.BeginTransaction();
        NonQuery(connection, $"DELETE FROM urls WHERE state = {Done} AND origin IS NOT NULL", start);
        using var requeue = connection.CreateCommand();
        requeue.Transaction = start;
        requeue.CommandText = $"UPDATE urls SET state = {Pending} WHERE state = {Done} AND (fetched_at IS NULL OR fetched_at < $before)";
        requeue.Parameters.AddWithValue("$before", fetchedBefore?.ToUnixTimeMilliseconds() ?? long.MaxValue);
        var queued = requeue.ExecuteNonQuery();
        NonQuery(connection, "UPDATE checkpoint SET round = round + 1, pages = 0", start);
        start.Commit();
        return (round + 1, true, queued + waiting);
    }

    private static void NonQuery(SqliteConnection connection, string sql, SqliteTransaction transaction)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command.ExecuteScalar();
    }
}
