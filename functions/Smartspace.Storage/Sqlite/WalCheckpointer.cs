using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>
/// Checkpoints the WAL on its own connection, off the commit path: the writer's automatic checkpoint is
/// off, so no commit waits for the database file's fsync (only for the WAL's). A PASSIVE checkpoint
/// copies committed frames into the database without blocking the writer or readers; it runs every
/// <see cref="Interval"/> when something was committed since the last one.
/// </summary>
internal sealed class WalCheckpointer : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly string _connectionString;
    private readonly Timer _timer;
    private SqliteConnection? _connection;
    private int _running;
    private long _commits;

    public WalCheckpointer(string connectionString)
    {
        _connectionString = connectionString;
        _timer = new Timer(_ => Run(), null, Interval, Interval);
    }

    public void Committed() => Interlocked.Increment(ref _commits);

    /// <summary>Set by the writer when a WAL restart is due: the next run catches up with the WAL's end as far as it can.</summary>
    public bool CatchUpRequested
    {
        get => Volatile.Read(ref _catchUpRequested);
        set => Volatile.Write(ref _catchUpRequested, value);
    }

    /// <summary>Stopwatch timestamp at which a catch-up run finished (0 = never).</summary>
    public long CaughtUpAt => Interlocked.Read(ref _caughtUpAt);

    private const int CatchUpPasses = 4;
    private bool _catchUpRequested;
    private long _caughtUpAt;

    private void Run()
    {
        if (Interlocked.Read(ref _commits) == 0 || Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }

        try
        {
            Interlocked.Exchange(ref _commits, 0);
            if (_connection is null)
            {
                _connection = new SqliteConnection(_connectionString);
                _connection.Open();
                SqliteWriter.Execute(_connection, "PRAGMA synchronous=FULL");
            }

            SqliteWriter.Execute(_connection, "PRAGMA wal_checkpoint(PASSIVE)");
            if (CatchUpRequested)
            {
                // Each pass copies what was committed during the one before: a few passes leave milliseconds of frames.
                for (var pass = 1; pass < CatchUpPasses; pass++)
                {
                    SqliteWriter.Execute(_connection, "PRAGMA wal_checkpoint(PASSIVE)");
                }

                Interlocked.Exchange(ref _caughtUpAt, System.Diagnostics.Stopwatch.GetTimestamp());
            }
        }
        catch (SqliteException)
        {
            // The next tick retries; a broken file shows up on the writer's next commit.
            _connection?.Dispose();
            _connection = null;
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <summary>Stops the timer, waits for a running checkpoint, and closes the connection.</summary>
    public void Dispose()
    {
        using (var stopped = new ManualResetEvent(false))
        {
            if (_timer.Dispose(stopped))
            {
                stopped.WaitOne(TimeSpan.FromSeconds(30));
            }
        }

        while (Interlocked.CompareExchange(ref _running, 1, 0) != 0)
        {
            Thread.Sleep(1);
        }

        _connection?.Dispose();
        _connection = null;
    }
}
