using Microsoft.Data.Sqlite;

namespace Smartspace.Storage.Sqlite;

/// <summary>One read-only connection with its prepared statements; pooled by <see cref="SqliteEntityStore"/>.</summary>
internal sealed class ReadSession : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _get;
    // [lowerInclusive ? 1 : 0, hasUpper ? 1 : 0]
    private readonly SqliteCommand?[] _query = new SqliteCommand?[4];

    public ReadSession(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        try
        {
            _connection.Open();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }

        _get = Command("SELECT etag, props FROM entities WHERE tbl = $t AND pk = $pk AND rk = $rk", "$t", "$pk", "$rk");
    }

    public Entity? Get(string table, string partitionKey, string rowKey)
    {
        _get.Parameters[0].Value = table;
        _get.Parameters[1].Value = partitionKey;
        _get.Parameters[2].Value = rowKey;
        using var reader = _get.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        return new Entity(partitionKey, rowKey, PropertyCodec.Deserialize(reader.GetString(1)), reader.GetString(0));
    }

    public void Ping()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT 1 FROM entities LIMIT 1";
        command.ExecuteScalar();
    }

    /// <summary>
    /// Reads the next page after <paramref name="after"/> (exclusive) or from RowKeyFrom (inclusive).
    /// With filters, scans chunks until the page is full, the range ends, or <paramref name="maxScanned"/>
    /// rows were read (then a page may be short but still carries a token).
    /// </summary>
    public EntityPage Query(string table, EntityQuery query, string? after, int maxScanned, CancellationToken cancellationToken)
    {
        var items = new List<Entity>(Math.Min(query.PageSize, 256));
        var inclusive = after is null;
        var lower = after ?? query.RowKeyFrom ?? string.Empty;
        var hasFilters = query.Filters.Count > 0;
        var chunk = query.PageSize;
        var scanned = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var command = QueryCommand(inclusive, query.RowKeyTo is not null);
            command.Parameters[0].Value = table;
            command.Parameters[1].Value = query.PartitionKey;
            command.Parameters[2].Value = lower;
            command.Parameters[3].Value = chunk + 1; // one extra row says whether more follow
            if (query.RowKeyTo is not null)
            {
                command.Parameters[4].Value = query.RowKeyTo;
            }

            var rows = 0;
            var more = false;
            string? last = null;
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    if (rows == chunk)
                    {
                        // More rows follow the chunk.
                        if (items.Count == query.PageSize || scanned >= maxScanned)
                        {
                            return new EntityPage(items, SqliteEntityStore.EncodeToken(last!));
                        }

                        more = true;
                        break;
                    }

                    rows++;
                    scanned++;
                    last = reader.GetString(0);
                    if (items.Count == query.PageSize)
                    {
                        // Page full and at least this row follows.
                        return new EntityPage(items, SqliteEntityStore.EncodeToken(items[^1].RowKey));
                    }

                    var properties = PropertyCodec.Deserialize(reader.GetString(2));
                    if (!hasFilters || PropertyFilterEvaluator.Matches(properties, query.Filters))
                    {
                        items.Add(new Entity(query.PartitionKey, last, properties, reader.GetString(1)));
                    }
                }
            }

            if (!more)
            {
                return new EntityPage(items, null); // the range is exhausted
            }

            // A full chunk was read, the page is not full yet, and more rows follow.
            lower = last!;
            inclusive = false;
        }
    }

    private SqliteCommand QueryCommand(bool inclusive, bool hasUpper)
    {
        var index = (inclusive ? 2 : 0) + (hasUpper ? 1 : 0);
        return _query[index] ??= Command(
            "SELECT rk, etag, props FROM entities WHERE tbl = $t AND pk = $pk AND rk " + (inclusive ? ">=" : ">") + " $lo" +
            (hasUpper ? " AND rk < $hi" : string.Empty) + " ORDER BY rk LIMIT $n",
            hasUpper ? ["$t", "$pk", "$lo", "$n", "$hi"] : ["$t", "$pk", "$lo", "$n"]);
    }

    private SqliteCommand Command(string sql, params string[] parameters) => SqliteStatements.Prepare(_connection, sql, parameters);

    public void Dispose()
    {
        _get.Dispose();
        foreach (var command in _query)
        {
            command?.Dispose();
        }

        _connection.Dispose();
    }
}
