using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>
/// The only writer of the SQLite file, on its own thread. Group commit: it drains up to
/// <c>maxBatches</c> queued batches, opens one transaction, applies each batch inside its own
/// SAVEPOINT (a batch whose condition fails is rolled back to its savepoint and reports its failure
/// and index; its neighbours still commit), COMMITs once (one fsync for all), and only then completes
/// the callers' tasks. With <c>maxBatches = 1</c> every batch is its own transaction.
/// Statements are prepared once per connection and reused; nothing is allocated per operation except
/// the new ETag string and the result. WAL checkpoints run beside it (<see cref="WalCheckpointer"/>),
/// never inside a commit.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    /// <summary>Negative = KiB: the writer's page cache stays valid between its own transactions, so a large one saves re-reading pages.</summary>
    private const string WriterCacheKiB = "-65536";

    private readonly string _connectionString;
    private readonly int _maxBatches;
    private readonly Channel<WriteRequest> _queue = Channel.CreateUnbounded<WriteRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private readonly WalCheckpointer _checkpointer;
    private SqliteConnection? _connection;
    private WriterStatements? _sql;
    private long _etagCounter;
    private WriterStats _stats;

    /// <summary>Counters for the benchmark and diagnostics (read without locking; approximate while running).</summary>
    internal WriterStats Stats => _stats;

    public SqliteWriter(string path, int maxBatches)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = (int)WriterStatements.WaitTimeout.TotalSeconds,
        }.ToString();
        _maxBatches = maxBatches;
        _checkpointer = new WalCheckpointer(_connectionString);
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-writer" };
        _thread.Start();
    }

    private string DirectoryPath => Path.GetDirectoryName(new SqliteConnectionStringBuilder(_connectionString).DataSource)!;

    public Task<BatchResult> Enqueue(WriteRequest request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            throw new StoreUnavailableException("The SQLite store is closed.", new ObjectDisposedException(nameof(SqliteEntityStore)));
        }

        return request.Task;
    }

    /// <summary>Disk, permission, lock and corruption errors: the store is unavailable (503), not the request wrong.</summary>
    public static bool IsUnavailable(SqliteException ex) => (ex.SqliteErrorCode & 0xFF) switch
    {
        3 or 5 or 6 or 7 or 8 or 10 or 11 or 13 or 14 or 15 or 26 => true, // PERM BUSY LOCKED NOMEM READONLY IOERR CORRUPT FULL CANTOPEN PROTOCOL NOTADB
        _ => false,
    };

    private void Run()
    {
        SqliteStatements.RunGroups(_queue.Reader, _maxBatches, Process,
            (request, ex) => request.TrySetException(new StoreUnavailableException("The SQLite writer failed.", ex)));
        Close();
    }

    private void Process(List<WriteRequest> group)
    {
        if (!TryOpen(out var openError))
        {
            foreach (var request in group)
            {
                request.TrySetException(new StoreUnavailableException("The SQLite store cannot be opened.", openError));
            }

            return;
        }

        var sql = _sql!;
        var single = group.Count == 1;
        var anyWrite = false;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        long applied = 0;
        try
        {
            sql.Begin.ExecuteNonQuery();
            // Another process may share the file: continue after the highest ETag anyone issued (we hold the write lock).
            _etagCounter = Math.Max(_etagCounter, Convert.ToInt64(sql.LoadCounter.ExecuteScalar(), CultureInfo.InvariantCulture));
            foreach (var request in group)
            {
                if (request.Operations is null)
                {
                    continue; // ping
                }

                if (request.CancellationToken.IsCancellationRequested)
                {
                    request.Error = new OperationCanceledException(request.CancellationToken);
                    continue;
                }

                if (!single)
                {
                    sql.Savepoint.ExecuteNonQuery();
                }

                try
                {
                    var result = Apply(sql, request);
                    request.Result = result;
                    if (result.Succeeded)
                    {
                        anyWrite = true;
                    }
                    else if (!single)
                    {
                        sql.RollbackToSavepoint.ExecuteNonQuery();
                    }
                }
                catch (SqliteException ex) when (!IsUnavailable(ex))
                {
                    request.Error = new StoreUnavailableException("The SQLite store refused the batch.", ex);
                    if (!single)
                    {
                        sql.RollbackToSavepoint.ExecuteNonQuery();
                    }
                }

                if (!single)
                {
                    sql.ReleaseSavepoint.ExecuteNonQuery();
                }
            }

            applied = System.Diagnostics.Stopwatch.GetTimestamp();
            if (anyWrite)
            {
                sql.SaveCounter.Parameters[0].Value = _etagCounter;
                sql.SaveCounter.ExecuteNonQuery();
                sql.Commit.ExecuteNonQuery();
                _checkpointer.Committed();
                RestartWalWhenDue(sql);
            }
            else
            {
                sql.Rollback.ExecuteNonQuery();
            }
        }
        catch (Exception ex)
        {
            TryRollback(sql);
            if (ex is SqliteException sqliteException && IsUnavailable(sqliteException))
            {
                Close(); // reopen on the next batch: the disk may come back
            }

            foreach (var request in group)
            {
                request.TrySetException(new StoreUnavailableException("The SQLite store could not commit.", ex));
            }

            return;
        }

        var committed = System.Diagnostics.Stopwatch.GetTimestamp();
        _stats = new WriterStats(_stats.Groups + 1, _stats.Batches + group.Count, _stats.ApplyTicks + (applied - started), _stats.CommitTicks + (committed - applied));

        // Durable now: publish.
        foreach (var request in group)
        {
            if (request.Error is OperationCanceledException oce)
            {
                request.TrySetCanceled(oce.CancellationToken);
            }
            else if (request.Error is { } error)
            {
                request.TrySetException(error);
            }
            else
            {
                request.TrySetResult(request.Result!);
            }
        }
    }

    private BatchResult Apply(WriterStatements sql, WriteRequest request)
    {
        var operations = request.Operations!;
        var etags = new string?[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i];
            var entity = op.Entity;
            var anyVersion = op.IfMatch == "*";
            SqliteCommand command;
            switch (op.Kind)
            {
                case EntityOperationKind.Insert:
                    command = sql.Insert;
                    break;
                case EntityOperationKind.Upsert:
                    command = sql.Upsert;
                    break;
                case EntityOperationKind.Replace:
                    command = anyVersion ? sql.ReplaceAny : sql.ReplaceIfMatch;
                    break;
                default:
                    command = anyVersion ? sql.DeleteAny : sql.DeleteIfMatch;
                    break;
            }

            var p = command.Parameters;
            p[0].Value = request.Table;
            p[1].Value = entity.PartitionKey;
            p[2].Value = entity.RowKey;
            string? etag = null;
            if (op.Kind != EntityOperationKind.Delete)
            {
                etag = NextETag();
                p[3].Value = etag;
                p[4].Value = request.Properties![i];
                if (op.Kind == EntityOperationKind.Replace && !anyVersion)
                {
                    p[5].Value = op.IfMatch;
                }
            }
            else if (!anyVersion)
            {
                p[3].Value = op.IfMatch;
            }

            if (command.ExecuteNonQuery() == 0)
            {
                var failure = op.Kind switch
                {
                    EntityOperationKind.Insert => StoreFailure.AlreadyExists,
                    _ when anyVersion => StoreFailure.NotFound,
                    _ => Exists(sql, request.Table!, entity) ? StoreFailure.PreconditionFailed : StoreFailure.NotFound,
                };
                return BatchResult.Failed(failure, i);
            }

            etags[i] = etag;
        }

        return BatchResult.Success(etags);
    }

    /// <summary>
    /// Under a steady stream of commits the PASSIVE checkpoints never catch up with the end of the WAL, so SQLite never
    /// starts it over and it grows without bound (800 MB in 10 s of the webhook benchmark), every commit appending to
    /// fresh disk blocks. Every <see cref="WalRestartInterval"/> the writer, between two transactions, finishes the
    /// checkpoint and starts the WAL over (RESTART) when no reader is on old frames, so the next commit writes from the
    /// start of the file. Every request waits while it runs, and it must copy (and fsync) whatever no checkpoint copied
    /// yet — 40–110 ms after a 250 ms checkpoint interval under load. So the writer asks the checkpointer to catch up
    /// first (<see cref="WalCheckpointer.CatchUpRequested"/>: PASSIVE passes, each copying what came in during the
    /// last) and restarts right after it did, when only a few milliseconds of frames are left (1–8 ms measured).
    /// </summary>
    private static readonly TimeSpan WalRestartInterval = TimeSpan.FromSeconds(1);

    /// <summary>A restart happens anyway this long after the last one, caught up or not (e.g. the checkpointer keeps failing).</summary>
    private static readonly TimeSpan WalRestartDeadline = TimeSpan.FromSeconds(5);

    /// <summary>How fresh the checkpointer's catch-up must be for the restart to be cheap.</summary>
    private static readonly TimeSpan CaughtUpWindow = TimeSpan.FromMilliseconds(20);

    private long _lastRestart;

    private void RestartWalWhenDue(WriterStatements sql)
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        var sinceRestart = System.Diagnostics.Stopwatch.GetElapsedTime(_lastRestart, now);
        if (sinceRestart < WalRestartInterval)
        {
            return;
        }

        var caughtUp = _checkpointer.CaughtUpAt;
        if ((caughtUp <= _lastRestart || System.Diagnostics.Stopwatch.GetElapsedTime(caughtUp, now) > CaughtUpWindow) && sinceRestart < WalRestartDeadline)
        {
            _checkpointer.CatchUpRequested = true;
            return;
        }

        // Never wait: SQLite's busy handler sleeps 1, 2, 5, 10… ms while a reader is still on old frames, and the writer
        // (so every request) would wait with it. Busy: the frames are copied anyway; the restart is tried after the next group.
        sql.NoWait.ExecuteNonQuery();
        bool busy;
        using (var reader = sql.RestartWal.ExecuteReader())
        {
            busy = reader.Read() && reader.GetInt64(0) != 0;
        }

        sql.Wait.ExecuteNonQuery();
        if (!busy)
        {
            _lastRestart = now;
            _checkpointer.CatchUpRequested = false;
        }
    }

    private static bool Exists(WriterStatements sql, string table, Entity entity)
    {
        var p = sql.Exists.Parameters;
        p[0].Value = table;
        p[1].Value = entity.PartitionKey;
        p[2].Value = entity.RowKey;
        return sql.Exists.ExecuteScalar() is not null;
    }

    private string NextETag() => "W/\"" + (++_etagCounter).ToString(CultureInfo.InvariantCulture) + "\"";

    private bool TryOpen(out Exception? error)
    {
        error = null;
        if (_connection is not null)
        {
            return true;
        }

        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(DirectoryPath);
            connection = new SqliteConnection(_connectionString);
            connection.Open();
            Execute(connection, "PRAGMA journal_mode=WAL");
            Execute(connection, "PRAGMA synchronous=FULL");
            Execute(connection, "PRAGMA wal_autocheckpoint=0");
            // Erasure and retention delete customers' rows: their content is zeroed in the pages the delete writes anyway.
            Execute(connection, "PRAGMA secure_delete=FAST");
            Execute(connection, "PRAGMA cache_size=" + WriterCacheKiB);
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS entities(
                  tbl TEXT NOT NULL, pk TEXT NOT NULL, rk TEXT NOT NULL, etag TEXT NOT NULL, props TEXT NOT NULL,
                  PRIMARY KEY(tbl, pk, rk)) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL) WITHOUT ROWID;
                INSERT OR IGNORE INTO meta(k, v) VALUES('etag', 0);
                """);
            using (var read = connection.CreateCommand())
            {
                // ETags continue after the highest one ever issued, so a stale ETag from before a restart never matches again.
                read.CommandText = "SELECT v FROM meta WHERE k = 'etag'";
                _etagCounter = Math.Max(_etagCounter, Convert.ToInt64(read.ExecuteScalar(), CultureInfo.InvariantCulture));
            }

            _sql = new WriterStatements(connection);
            _connection = connection;
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            connection?.Dispose();
            error = ex;
            return false;
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void TryRollback(WriterStatements sql)
    {
        try
        {
            sql.Rollback.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // no transaction open, or the connection is broken; it is closed next
        }
    }

    private void Close()
    {
        _sql?.Dispose();
        _sql = null;
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>Stops accepting batches, lets the writer finish what is queued, and closes the file.</summary>
    public void Dispose()
    {
        SqliteStatements.Stop(_queue.Writer, _thread);
        _checkpointer.Dispose();
    }

    /// <summary>Groups committed, batches in them, and Stopwatch ticks spent applying and committing (fsync).</summary>
    internal readonly record struct WriterStats(long Groups, long Batches, long ApplyTicks, long CommitTicks);
}
