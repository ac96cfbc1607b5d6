using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>
/// The local <see cref="IEntityStore"/>: one SQLite file, table <c>entities(tbl, pk, rk, etag, props)</c>,
/// WAL with <c>synchronous=FULL</c> (a batch acknowledged is on disk). Reads run on a small pool of
/// read-only connections, concurrently with the single writer (<see cref="SqliteWriter"/>), which
/// group-commits queued batches: one transaction and one fsync for many batches, each batch inside
/// its own savepoint so it succeeds or fails alone.
/// </summary>
public sealed class SqliteEntityStore : IEntityStore, IAsyncDisposable, IDisposable
{
    private const int MaxPooledReaders = 16;
    /// <summary>A filtered query scans at most this many rows per page, then returns what it found with a token.</summary>
    private const int MaxRowsScannedPerPage = 5000;

    private readonly string _prefix;
    private readonly string _readConnectionString;
    private readonly SqliteWriter _writer;
    private readonly ConcurrentBag<ReadSession> _readers = new();
    private readonly ConcurrentDictionary<string, string> _tableNames = new(StringComparer.Ordinal);
    private volatile bool _ready;
    private volatile bool _disposed;

    public SqliteEntityStore(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DatabasePath = Path.GetFullPath(options.SqlitePath);
        _prefix = options.TablePrefix;
        _readConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString();
        _writer = new SqliteWriter(DatabasePath, options.GroupCommit ? options.GroupCommitMaxBatches : 1);
    }

    public string DatabasePath { get; }

    internal SqliteWriter Writer => _writer;

    public async Task<Entity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        var name = Physical(table);
        if (!StoreLimitValidator.IsStorableKey(partitionKey) || !StoreLimitValidator.IsStorableKey(rowKey))
        {
            return null; // a key that cannot be stored names nothing: not found, not an error
        }

        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            var result = session.Get(name, partitionKey, rowKey);
            healthy = true;
            return result;
        }
        catch (SqliteException ex) when (SqliteWriter.IsUnavailable(ex))
        {
            throw new StoreUnavailableException("The SQLite store cannot be read.", ex);
        }
        finally
        {
            Return(session, healthy);
        }
    }

    public async Task<EntityPage> QueryAsync(string table, EntityQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var name = Physical(table);
        StoreLimitValidator.ValidateKey(query.PartitionKey, "PartitionKey");
        if (query.PageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), "PageSize must be between 1 and 1000.");
        }

        var after = query.ContinuationToken is null ? null : DecodeToken(query.ContinuationToken);
        var session = await RentAsync(cancellationToken).ConfigureAwait(false);
        var healthy = false;
        try
        {
            var page = session.Query(name, query, after, MaxRowsScannedPerPage, cancellationToken);
            healthy = true;
            return page;
        }
        catch (SqliteException ex) when (SqliteWriter.IsUnavailable(ex))
        {
            throw new StoreUnavailableException("The SQLite store cannot be read.", ex);
        }
        finally
        {
            Return(session, healthy);
        }
    }

    public Task<BatchResult> SubmitAsync(string table, IReadOnlyList<EntityOperation> operations, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var name = Physical(table);
        StoreLimitValidator.ValidateBatch(name, operations);
        cancellationToken.ThrowIfCancellationRequested();
        var properties = new string?[operations.Count];
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i].Kind != EntityOperationKind.Delete)
            {
                properties[i] = PropertyCodec.Serialize(operations[i].Entity.Properties);
            }
        }

        return _writer.Enqueue(new WriteRequest(name, operations, properties, cancellationToken));
    }

    public async Task EnsureTableAsync(string table, CancellationToken cancellationToken = default)
    {
        _ = Physical(table); // one SQLite table holds every logical table; only the name is checked
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
            await _writer.Enqueue(WriteRequest.Ping(cancellationToken)).ConfigureAwait(false);
            var session = await RentAsync(cancellationToken).ConfigureAwait(false);
            var healthy = false;
            try
            {
                session.Ping();
                healthy = true;
            }
            finally
            {
                Return(session, healthy);
            }

            return true;
        }
        catch (Exception ex) when (ex is StoreUnavailableException or SqliteException)
        {
            return false;
        }
    }

    private string Physical(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (_tableNames.TryGetValue(table, out var name))
        {
            return name;
        }

        name = StoreLimitValidator.PhysicalTableName(_prefix, table);
        _tableNames.TryAdd(table, name);
        return name;
    }

    private async ValueTask EnsureReadyAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (!_ready)
        {
            // The writer creates the file and schema; read-only connections need both.
            await _writer.Enqueue(WriteRequest.Ping(cancellationToken)).ConfigureAwait(false);
            _ready = true;
        }
    }

    private async ValueTask<ReadSession> RentAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken).ConfigureAwait(false);
        if (_readers.TryTake(out var session))
        {
            return session;
        }

        try
        {
            return new ReadSession(_readConnectionString);
        }
        catch (SqliteException ex)
        {
            throw new StoreUnavailableException("The SQLite store cannot be opened for reading.", ex);
        }
    }

    private void Return(ReadSession session, bool healthy)
    {
        if (healthy && !_disposed && _readers.Count < MaxPooledReaders)
        {
            _readers.Add(session);
            if (_disposed && _readers.TryTake(out var late))
            {
                late.Dispose();
            }
        }
        else
        {
            session.Dispose();
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            throw new StoreUnavailableException("The SQLite store is closed.", new ObjectDisposedException(nameof(SqliteEntityStore)));
        }
    }

    internal static string EncodeToken(string rowKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal static string DecodeToken(string token)
    {
        try
        {
            var s = token.Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '=');
            return Encoding.UTF8.GetString(Convert.FromBase64String(s));
        }
        catch (FormatException ex)
        {
            throw new ArgumentException("The continuation token is not one this store issued.", nameof(token), ex);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _writer.Dispose();
        while (_readers.TryTake(out var session))
        {
            session.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
