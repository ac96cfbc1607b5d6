using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>The writer's statements, prepared once per connection and reused for every batch.</summary>
internal sealed class WriterStatements : IDisposable
{
    public WriterStatements(SqliteConnection c)
    {
        Begin = Make(c, "BEGIN IMMEDIATE");
        Commit = Make(c, "COMMIT");
        Rollback = Make(c, "ROLLBACK");
        Savepoint = Make(c, "SAVEPOINT b");
        RollbackToSavepoint = Make(c, "ROLLBACK TO b");
        ReleaseSavepoint = Make(c, "RELEASE b");
        Insert = Make(c, "INSERT INTO entities(tbl, pk, rk, etag, props) VALUES($t, $pk, $rk, $e, $p) ON CONFLICT DO NOTHING", "$t", "$pk", "$rk", "$e", "$p");
        Upsert = Make(c, "INSERT INTO entities(tbl, pk, rk, etag, props) VALUES($t, $pk, $rk, $e, $p) ON CONFLICT(tbl, pk, rk) DO UPDATE SET etag = excluded.etag, props = excluded.props", "$t", "$pk", "$rk", "$e", "$p");
        ReplaceAny = Make(c, "UPDATE entities SET etag = $e, props = $p WHERE tbl = $t AND pk = $pk AND rk = $rk", "$t", "$pk", "$rk", "$e", "$p");
        ReplaceIfMatch = Make(c, "UPDATE entities SET etag = $e, props = $p WHERE tbl = $t AND pk = $pk AND rk = $rk AND etag = $old", "$t", "$pk", "$rk", "$e", "$p", "$old");
        DeleteAny = Make(c, "DELETE FROM entities WHERE tbl = $t AND pk = $pk AND rk = $rk", "$t", "$pk", "$rk");
        DeleteIfMatch = Make(c, "DELETE FROM entities WHERE tbl = $t AND pk = $pk AND rk = $rk AND etag = $old", "$t", "$pk", "$rk", "$old");
        Exists = Make(c, "SELECT 1 FROM entities WHERE tbl = $t AND pk = $pk AND rk = $rk", "$t", "$pk", "$rk");
        SaveCounter = Make(c, "UPDATE meta SET v = max(v, $v) WHERE k = 'etag'", "$v");
        LoadCounter = Make(c, "SELECT v FROM meta WHERE k = 'etag'");
        RestartWal = Make(c, "PRAGMA wal_checkpoint(RESTART)");
        NoWait = Make(c, "PRAGMA busy_timeout=0");
        Wait = Make(c, "PRAGMA busy_timeout=" + ((int)WaitTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public SqliteCommand Begin { get; }
    public SqliteCommand Commit { get; }
    public SqliteCommand Rollback { get; }
    public SqliteCommand Savepoint { get; }
    public SqliteCommand RollbackToSavepoint { get; }
    public SqliteCommand ReleaseSavepoint { get; }
    public SqliteCommand Insert { get; }
    public SqliteCommand Upsert { get; }
    public SqliteCommand ReplaceAny { get; }
    public SqliteCommand ReplaceIfMatch { get; }
    public SqliteCommand DeleteAny { get; }
    public SqliteCommand DeleteIfMatch { get; }
    public SqliteCommand Exists { get; }
    public SqliteCommand SaveCounter { get; }
    public SqliteCommand RestartWal { get; }

    /// <summary>Busy timeout of the writer connection (Microsoft.Data.Sqlite's DefaultTimeout, set at open).</summary>
    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(5);

    public SqliteCommand NoWait { get; }
    public SqliteCommand Wait { get; }

    /// <summary>Reads the ETag counter inside the write transaction, so processes sharing the file never reuse an ETag.</summary>
    public SqliteCommand LoadCounter { get; }

    private static SqliteCommand Make(SqliteConnection connection, string sql, params string[] parameters) =>
        SqliteStatements.Prepare(connection, sql, parameters);

    public void Dispose()
    {
        foreach (var command in new[] { Begin, Commit, Rollback, Savepoint, RollbackToSavepoint, ReleaseSavepoint, Insert, Upsert, ReplaceAny, ReplaceIfMatch, DeleteAny, DeleteIfMatch, Exists, SaveCounter, LoadCounter, RestartWal, NoWait, Wait })
        {
            command.Dispose();
        }
    }
}
