// Over 300 lines: the state file's whole life (open, lock, schema and its upgrade, failures said in the user's words); the crawl's steps on it are SqliteFrontier.
using AsyncFetcher.Core.Scheduling;
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
    /// is followed again). With <paramref name="fresh"/> (<c>--fresh</c>) what the file held is dropped,
    /// under the same lock: a state in use by a running crawl is refused, never deleted under it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is another SQLite database, or from another version.</exception>
    /// <exception cref="FrontierFailedException">The file cannot be opened or created, or is in use by another crawl; the message says why.</exception>
    public static SqliteConnection Open(string path, bool fresh = false)
    {
        var connection = Connect(path);
        try
        {
            Lock(connection);
            if (fresh)
            {
                StartOver(connection);
            }
            Initialise(connection);
            return connection;
        }
        catch (SqliteException e) when (fresh && e.SqliteErrorCode is SQLitePCL.raw.SQLITE_NOTADB or SQLitePCL.raw.SQLITE_CORRUPT)
        {
            // Not a database, or one too damaged to empty: no crawl can be running on it, so it is replaced.
            connection.Dispose();
            Delete(path);
            return Open(path);
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw e.SqliteErrorCode == SQLitePCL.raw.SQLITE_NOTADB
                ? new InvalidDataException("not an asyncfetch state file (not a SQLite database)", e)
                : new FrontierFailedException(Describe(e, path), e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What a SQLite failure on the state file at <paramref name="path"/> means, as the one line a user is told:
    /// "no space left on the disk holding state file 'X'", "state file 'X' is damaged", "state file 'X' is read-only", ...
    /// </summary>
    public static string Describe(SqliteException e, string path)
    {
        ArgumentNullException.ThrowIfNull(e);
        var reason = Reason(e, path);
        return reason.StartsWith("no space", StringComparison.Ordinal) ? $"{reason} holding state file '{path}'" : $"state file '{path}' {reason}";
    }

    /// <summary>Deletes a state file and its WAL companions.</summary>
    private static void Delete(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(path + suffix);
        }
    }

    /// <summary>
    /// The cause of a failure, said after "state file 'X' ": "is damaged", "is read-only", ... SQLite says
    /// "disk I/O error" or "unable to open database file" for a file or folder it may not write, so those
    /// are checked against the file system for the real cause.
    /// </summary>
    private static string Reason(SqliteException e, string path) => e.SqliteErrorCode switch
    {
        SQLitePCL.raw.SQLITE_FULL => "no space left on the disk",
        SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB => "is damaged; start over with --fresh",
        SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => "is in use by another crawl",
        SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_PERM
            when ReadOnly(path) is { } readOnly => readOnly,
        SQLitePCL.raw.SQLITE_IOERR or SQLitePCL.raw.SQLITE_CANTOPEN when DiskFull(path) => "no space left on the disk",
        SQLitePCL.raw.SQLITE_CANTOPEN when Directory.Exists(path) => "is a directory",
        SQLitePCL.raw.SQLITE_CANTOPEN => "cannot be opened or created",
        _ => $"cannot be used: {e.Message}",
    };

    /// <summary>"is read-only" when the file, or its folder (where SQLite keeps its write-ahead log), cannot be written; else null.</summary>
    private static string? ReadOnly(string path)
    {
        if (File.Exists(path) && !CanWrite(() => File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite)))
        {
            return "is read-only";
        }
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var probe = Path.Combine(folder, $".asyncfetch-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        return CanWrite(() => File.OpenHandle(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.DeleteOnClose))
            ? null
            : "cannot be written: its folder is read-only";
    }

    private static bool CanWrite(Func<Microsoft.Win32.SafeHandles.SafeFileHandle> open)
    {
        try
        {
            open().Dispose();
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        catch (IOException e) when (FileErrors.Describe(e) == "read-only file system")
        {
            return false;
        }
        catch (IOException)
        {
            // Another failure (the folder is missing, the disk is full): not a question of permission.
            return true;
        }
    }

    /// <summary>The disk holding <paramref name="path"/> has (almost) no room left: less than a few of SQLite's pages.</summary>
    private static bool DiskFull(string path)
    {
        try
        {
            return new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(path))!).AvailableFreeSpace < 64 * 1024;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static SqliteConnection Connect(string path)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // No pooling: closing must release the file (for the next run).
            Pooling = false,
            // How long to wait for a lock: a state in use by another crawl fails fast instead of waiting.
            DefaultTimeout = 1,
        };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new FrontierFailedException(Describe(e, path), e);
        }
    }

    /// <summary>
    /// Takes the file for this crawl: exclusive locking before WAL, so the file stays locked while open (no
    /// second crawl on it) and the WAL index lives in memory rather than in a -shm file. A file another crawl
    /// holds fails here (SQLITE_BUSY), before anything is read or changed.
    /// </summary>
    private static void Lock(SqliteConnection connection)
    {
        Scalar(connection, "PRAGMA locking_mode = EXCLUSIVE");
        Scalar(connection, "PRAGMA journal_mode = WAL");
    }

    /// <summary>Empties a locked state file (<c>--fresh</c>): every table goes, whatever version wrote it, and the file is made new.</summary>
    private static void StartOver(SqliteConnection connection)
    {
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }
        using (var drop = connection.BeginTransaction())
        {
            foreach (var table in tables)
            {
                NonQuery(connection, $"DROP TABLE \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", drop);
            }
            Scalar(connection, "PRAGMA application_id = 0", drop);
            Scalar(connection, "PRAGMA user_version = 0", drop);
            drop.Commit();
        }
        // Gives the dropped pages back to the disk: a large old crawl's state would otherwise keep its size.
        Scalar(connection, "VACUUM");
    }

    private static void Initialise(SqliteConnection connection)
    {
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
