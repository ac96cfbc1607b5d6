using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>One durable inbox entry: what was received, when, and how often applying it failed.</summary>
public sealed record InboxEntry(long Seq, DateTimeOffset ReceivedAt, byte[] Body, int Attempts);

/// <summary>
/// A durable, append-only inbox in its own SQLite file (WAL, <c>synchronous=FULL</c>): the webhook appends the
/// verified raw body and may acknowledge as soon as <see cref="AppendAsync"/> completes, because the row is fsynced
/// by then. Appends are group-committed on one writer thread (one transaction and one fsync for everything queued),
/// and each append is one row at the end of a rowid table, so a commit writes a few sequential pages whatever the
/// load. Entries leave the inbox only when the caller says they were applied (<see cref="CompleteAsync"/>) or gave up
/// on them (<see cref="DeadLetterAsync"/>, kept in <c>dead_letters</c> with the reason); whatever is left after a
/// crash is read back with <see cref="ReadPendingAsync"/>.
/// </summary>
public sealed class SqliteInbox : IDisposable
{
    private const int MaxGroup = 1024;

    private readonly string _connectionString;
    private readonly Channel<Op> _queue = Channel.CreateUnbounded<Op>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Thread _thread;
    private SqliteConnection? _connection;
    private SqliteCommand? _begin;
    private SqliteCommand? _commit;
    private SqliteCommand? _rollback;
    private SqliteCommand? _append;
    private SqliteCommand? _delete;
    private long _commits;

    public SqliteInbox(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        DatabasePath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString();
        _thread = new Thread(Run) { IsBackground = true, Name = "sqlite-inbox" };
        _thread.Start();
    }

    public string DatabasePath { get; }

    /// <summary>Transactions committed so far (one fsync each); appends per commit show how well grouping works.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>The inbox file next to the entity store's file: <c>store.db</c> → <c>store.inbox.db</c>.</summary>
    public static string PathBeside(string storePath)
    {
        var full = Path.GetFullPath(storePath);
        var directory = Path.GetDirectoryName(full)!;
        return Path.Combine(directory, Path.GetFileNameWithoutExtension(full) + ".inbox.db");
    }

    /// <summary>Stores the body durably and returns its sequence number (increasing in append order).</summary>
    /// <exception cref="StoreUnavailableException">The file cannot be written; nothing was stored.</exception>
    public async Task<long> AppendAsync(byte[] body, DateTimeOffset receivedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        var op = new Op(OpKind.Append) { Body = body, At = receivedAt, Cancellation = cancellationToken };
        Enqueue(op);
        await op.Done.Task.ConfigureAwait(false);
        return op.Seq;
    }

    /// <summary>Removes applied entries (their effects are durable elsewhere).</summary>
    public Task CompleteAsync(IReadOnlyList<long> seqs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        var op = new Op(OpKind.Complete) { Seqs = seqs, Cancellation = cancellationToken };
        Enqueue(op);
        return op.Done.Task;
    }

    /// <summary>Moves an entry that cannot be applied to <c>dead_letters</c>, with the reason, in one transaction.</summary>
    public Task DeadLetterAsync(long seq, string reason, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var op = new Op(OpKind.DeadLetter) { Seqs = [seq], Reason = reason, At = at, Cancellation = cancellationToken };
        Enqueue(op);
        return op.Done.Task;
    }

    /// <summary>Records one more failed attempt of an entry (kept across restarts).</summary>
    public Task RecordAttemptAsync(long seq, CancellationToken cancellationToken = default)
    {
        var op = new Op(OpKind.Attempt) { Seqs = [seq], Cancellation = cancellationToken };
        Enqueue(op);
        return op.Done.Task;
    }

    /// <summary>Entries still in the inbox, oldest first, after <paramref name="afterSeq"/>.</summary>
    public async Task<IReadOnlyList<InboxEntry>> ReadPendingAsync(long afterSeq, int max, CancellationToken cancellationToken = default)
    {
        var op = new Op(OpKind.Read) { AfterSeq = afterSeq, Max = max, Cancellation = cancellationToken };
        Enqueue(op);
        await op.Done.Task.ConfigureAwait(false);
        return op.Entries!;
    }

    /// <summary>
    /// Removes the dead letters whose raw body names any of <paramref name="naming"/> and any of <paramref name="within"/>
    /// (each as a JSON string value: a customer's <c>wa_id</c> or BSUID, and the contact center's phone number ids, so
    /// one contact center's request never reaches another's customer), and those dead-lettered before
    /// <paramref name="deadBefore"/>; returns how many went. LGPD: a dead letter is a customer's message the product could
    /// not apply, so erasure and retention reach it.
    /// </summary>
    public async Task<long> PurgeDeadLettersAsync(IReadOnlyCollection<string> naming, IReadOnlyCollection<string> within, DateTimeOffset? deadBefore, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(naming);
        ArgumentNullException.ThrowIfNull(within);
        var op = new Op(OpKind.Purge)
        {
            Needles = JsonStrings(naming),
            Scopes = JsonStrings(within),
            At = deadBefore ?? DateTimeOffset.MinValue,
            Cancellation = cancellationToken,
        };
        Enqueue(op);
        await op.Done.Task.ConfigureAwait(false);
        return op.Seq;
    }

    private static byte[][] JsonStrings(IEnumerable<string> values) =>
        values.Where(v => !string.IsNullOrEmpty(v)).Distinct(StringComparer.Ordinal).Select(v => System.Text.Encoding.UTF8.GetBytes("\"" + v + "\"")).ToArray();

    /// <summary>How many entries are pending and how many were dead-lettered.</summary>
    public async Task<(long Pending, long DeadLetters)> CountAsync(CancellationToken cancellationToken = default)
    {
        var op = new Op(OpKind.Count) { Cancellation = cancellationToken };
        Enqueue(op);
        await op.Done.Task.ConfigureAwait(false);
        return (op.Seq, op.AfterSeq);
    }

    private void Enqueue(Op op)
    {
        if (!_queue.Writer.TryWrite(op))
        {
            throw new StoreUnavailableException("The webhook inbox is closed.", new ObjectDisposedException(nameof(SqliteInbox)));
        }
    }

    private void Run()
    {
        SqliteStatements.RunGroups(_queue.Reader, MaxGroup, Process,
            (op, ex) => op.Done.TrySetException(new StoreUnavailableException("The webhook inbox failed.", ex)));
        Close();
    }

    private void Process(List<Op> group)
    {
        if (!TryOpen(out var openError))
        {
            foreach (var op in group)
            {
                op.Done.TrySetException(new StoreUnavailableException("The webhook inbox cannot be opened.", openError));
            }

            return;
        }

        try
        {
            _begin!.ExecuteNonQuery();
            var writes = false;
            foreach (var op in group)
            {
                if (op.Cancellation.IsCancellationRequested)
                {
                    op.Cancelled = true;
                    continue;
                }

                writes |= Apply(op);
            }

            if (writes)
            {
                _commit!.ExecuteNonQuery();
                Interlocked.Increment(ref _commits);
            }
            else
            {
                _rollback!.ExecuteNonQuery();
            }
        }
        catch (Exception ex)
        {
            try
            {
                _rollback!.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                // nothing open, or the connection is broken; it is reopened below
            }

            if (ex is SqliteException)
            {
                Close();
            }

            foreach (var op in group)
            {
                op.Done.TrySetException(new StoreUnavailableException("The webhook inbox could not commit.", ex));
            }

            return;
        }

        // Durable now: acknowledge.
        foreach (var op in group)
        {
            if (op.Cancelled)
            {
                op.Done.TrySetCanceled(op.Cancellation);
            }
            else
            {
                op.Done.TrySetResult();
            }
        }
    }

    private bool Apply(Op op)
    {
        switch (op.Kind)
        {
            case OpKind.Append:
                _append!.Parameters[0].Value = op.At.ToUnixTimeMilliseconds();
                _append.Parameters[1].Value = op.Body;
                op.Seq = Convert.ToInt64(_append.ExecuteScalar(), CultureInfo.InvariantCulture);
                return true;
            case OpKind.Complete:
                foreach (var seq in op.Seqs!)
                {
                    _delete!.Parameters[0].Value = seq;
                    _delete.ExecuteNonQuery();
                }

                return op.Seqs!.Count > 0;
            case OpKind.DeadLetter:
                Execute("INSERT OR REPLACE INTO dead_letters(seq, received_at, attempts, body, reason, dead_at) SELECT seq, received_at, attempts, body, $r, $now FROM inbox WHERE seq = $s",
                    ("$r", op.Reason!), ("$now", op.At.ToUnixTimeMilliseconds()), ("$s", op.Seqs![0]));
                Execute("DELETE FROM inbox WHERE seq = $s", ("$s", op.Seqs![0]));
                return true;
            case OpKind.Attempt:
                Execute("UPDATE inbox SET attempts = attempts + 1 WHERE seq = $s", ("$s", op.Seqs![0]));
                return true;
            case OpKind.Read:
                op.Entries = ReadPending(op.AfterSeq, op.Max);
                return false;
            case OpKind.Purge:
                if (op.Scopes!.Count > 0)
                {
                    var scoped = string.Join(" OR ", op.Scopes.Select((_, i) => $"instr(body, $c{i}) > 0"));
                    var parameters = op.Scopes.Select((scope, i) => ($"$c{i}", (object)scope)).ToList();
                    foreach (var needle in op.Needles!)
                    {
                        op.Seq += Execute($"DELETE FROM dead_letters WHERE instr(body, $n) > 0 AND ({scoped})", [.. parameters, ("$n", needle)]);
                    }
                }

                if (op.At > DateTimeOffset.MinValue)
                {
                    op.Seq += Execute("DELETE FROM dead_letters WHERE dead_at < $t", ("$t", op.At.ToUnixTimeMilliseconds()));
                }

                return op.Seq > 0;
            default:
                op.Seq = Count("SELECT count(*) FROM inbox");
                op.AfterSeq = Count("SELECT count(*) FROM dead_letters");
                return false;
        }
    }

    private List<InboxEntry> ReadPending(long afterSeq, int max)
    {
        using var command = _connection!.CreateCommand();
        command.CommandText = "SELECT seq, received_at, body, attempts FROM inbox WHERE seq > $after ORDER BY seq LIMIT $max";
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$max", max);
        using var reader = command.ExecuteReader();
        var entries = new List<InboxEntry>();
        while (reader.Read())
        {
            entries.Add(new InboxEntry(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), (byte[])reader.GetValue(2), reader.GetInt32(3)));
        }

        return entries;
    }

    private long Count(string sql)
    {
        using var command = _connection!.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private int Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection!.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

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
            Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
            connection = new SqliteConnection(_connectionString);
            connection.Open();
            SqliteWriter.Execute(connection, "PRAGMA journal_mode=WAL");
            SqliteWriter.Execute(connection, "PRAGMA synchronous=FULL");
            // Deleted bodies (applied or purged entries) are zeroed in the pages the delete writes anyway.
            SqliteWriter.Execute(connection, "PRAGMA secure_delete=FAST");
            SqliteWriter.Execute(connection, """
                CREATE TABLE IF NOT EXISTS inbox(
                  seq INTEGER PRIMARY KEY AUTOINCREMENT, received_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, body BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS dead_letters(
                  seq INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, attempts INTEGER NOT NULL, body BLOB NOT NULL, reason TEXT NOT NULL, dead_at INTEGER NOT NULL);
                """);
            _connection = connection;
            _begin = Prepare("BEGIN IMMEDIATE");
            _commit = Prepare("COMMIT");
            _rollback = Prepare("ROLLBACK");
            _append = Prepare("INSERT INTO inbox(received_at, body) VALUES($at, $body) RETURNING seq", "$at", "$body");
            _delete = Prepare("DELETE FROM inbox WHERE seq = $s", "$s");
            return true;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            _connection = null;
            error = ex;
            return false;
        }
    }

    private SqliteCommand Prepare(string sql, params string[] parameters) => SqliteStatements.Prepare(_connection!, sql, parameters);

    private void Close()
    {
        foreach (var command in new[] { _begin, _commit, _rollback, _append, _delete })
        {
            command?.Dispose();
        }

        _begin = _commit = _rollback = _append = _delete = null;
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>Stops accepting work, finishes what is queued, and closes the file.</summary>
    public void Dispose()
    {
        SqliteStatements.Stop(_queue.Writer, _thread);
    }

    private enum OpKind { Append, Complete, DeadLetter, Attempt, Read, Purge, Count }

    private sealed class Op(OpKind kind)
    {
        public OpKind Kind { get; } = kind;
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public CancellationToken Cancellation { get; init; }
        public bool Cancelled { get; set; }
        public byte[]? Body { get; init; }
        public IReadOnlyList<byte[]>? Needles { get; init; }
        public IReadOnlyList<byte[]>? Scopes { get; init; }
        public DateTimeOffset At { get; init; }
        public IReadOnlyList<long>? Seqs { get; init; }
        public string? Reason { get; init; }
        public long AfterSeq { get; set; }
        public int Max { get; init; }
        public long Seq { get; set; }
        public List<InboxEntry>? Entries { get; set; }
    }
}
