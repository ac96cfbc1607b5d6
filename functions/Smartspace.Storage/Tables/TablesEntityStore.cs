using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;

namespace Smartspace.Storage.Tables;

/// <summary>
/// <see cref="IEntityStore"/> on Azure Table Storage (or Azurite). Physical table = prefix + logical name,
/// created on first use in this process (and by <see cref="EnsureTableAsync"/>). One-operation batches use the
/// direct calls; larger ones are entity-group transactions. 409/412/404 become typed failures; network
/// errors, timeouts, throttling and 5xx become <see cref="StoreUnavailableException"/>. Client retries are
/// few and short so a down store answers in well under a second (the webhook then answers 503).
/// Throughput note: Azure targets about 2,000 entity writes/s per partition, so one contact center's
/// ledger partition sustains roughly that many agent/assignment changes per second, and one customer's
/// timeline partition far more than any conversation produces.
/// </summary>
public sealed class TablesEntityStore : IEntityStore
{
    private static readonly string[] SystemProperties = ["PartitionKey", "RowKey", "Timestamp", "odata.etag"];

    private readonly TableServiceClient _service;
    private readonly string _prefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _tables = new(StringComparer.Ordinal);

    public TablesEntityStore(StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _prefix = options.TablePrefix;
        var clientOptions = new TableClientOptions();
        clientOptions.Retry.MaxRetries = options.TablesMaxRetries;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(100);
        clientOptions.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        clientOptions.Retry.NetworkTimeout = options.TablesNetworkTimeout;
        _service = !string.IsNullOrWhiteSpace(options.TablesConnectionString)
            ? new TableServiceClient(options.TablesConnectionString, clientOptions)
            : new TableServiceClient(options.ConfiguredServiceUri ?? throw new ArgumentException("TablesConnectionString or TablesServiceUri is required."), new DefaultAzureCredential(), clientOptions);
    }

    public async Task<Entity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        if (!StoreLimitValidator.IsStorableKey(partitionKey) || !StoreLimitValidator.IsStorableKey(rowKey))
        {
            return null; // a key that cannot be stored names nothing: not found, not an error
        }

        var client = await TableAsync(table, cancellationToken).ConfigureAwait(false);
        try
        {
            var response = await client.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            return response.HasValue ? ToEntity(response.Value!) : null;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    public async Task<EntityPage> QueryAsync(string table, EntityQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        StoreLimitValidator.ValidateKey(query.PartitionKey, "PartitionKey");
        if (query.PageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(query), "PageSize must be between 1 and 1000.");
        }

        var client = await TableAsync(table, cancellationToken).ConfigureAwait(false);
        var filter = BuildFilter(query);
        try
        {
            var pages = client.QueryAsync<TableEntity>(filter, query.PageSize, cancellationToken: cancellationToken)
                .AsPages(query.ContinuationToken, query.PageSize);
            await foreach (var page in pages.ConfigureAwait(false))
            {
                var items = new List<Entity>(page.Values.Count);
                foreach (var e in page.Values)
                {
                    items.Add(ToEntity(e));
                }

                return new EntityPage(items, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
            }

            return new EntityPage(Array.Empty<Entity>(), null);
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    public async Task<BatchResult> SubmitAsync(string table, IReadOnlyList<EntityOperation> operations, CancellationToken cancellationToken = default)
    {
        StoreLimitValidator.ValidateBatch(StoreLimitValidator.PhysicalTableName(_prefix, table), operations);
        var client = await TableAsync(table, cancellationToken).ConfigureAwait(false);
        try
        {
            return operations.Count == 1
                ? await SubmitOneAsync(client, operations[0], cancellationToken).ConfigureAwait(false)
                : await SubmitTransactionAsync(client, operations, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404 && ex.ErrorCode != "TableNotFound")
        {
            var index = ex is TableTransactionFailedException tx ? tx.FailedTransactionActionIndex ?? 0 : 0;
            return BatchResult.Failed(ex.Status switch { 409 => StoreFailure.AlreadyExists, 412 => StoreFailure.PreconditionFailed, _ => StoreFailure.NotFound }, index);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == "TableNotFound")
        {
            // Deleted behind our back: forget it so the next call creates it again.
            _tables.TryRemove(table, out _);
            throw Unavailable(ex);
        }
        catch (RequestFailedException ex) when (ex.Status is 400 or 413)
        {
            throw new StoreLimitException($"Azure Tables refused the batch ({ex.Status} {ex.ErrorCode}): nothing was written.");
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken))
        {
            throw Unavailable(ex);
        }
    }

    private static async Task<BatchResult> SubmitOneAsync(TableClient client, EntityOperation op, CancellationToken cancellationToken)
    {
        var entity = op.Entity;
        Response response;
        switch (op.Kind)
        {
            case EntityOperationKind.Insert:
                response = await client.AddEntityAsync(ToTableEntity(entity), cancellationToken).ConfigureAwait(false);
                break;
            case EntityOperationKind.Upsert:
                response = await client.UpsertEntityAsync(ToTableEntity(entity), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                break;
            case EntityOperationKind.Replace:
                response = await client.UpdateEntityAsync(ToTableEntity(entity), ToETag(op.IfMatch), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                break;
            default:
                // The SDK answers a delete of a missing entity with its 404 response instead of throwing.
                var deleted = await client.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, ToETag(op.IfMatch), cancellationToken).ConfigureAwait(false);
                return deleted.Status == 404 ? BatchResult.Failed(StoreFailure.NotFound, 0) : BatchResult.Success(new string?[1]);
        }

        return BatchResult.Success([response.Headers.ETag?.ToString()]);
    }

    private static async Task<BatchResult> SubmitTransactionAsync(TableClient client, IReadOnlyList<EntityOperation> operations, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>(operations.Count);
        foreach (var op in operations)
        {
            actions.Add(op.Kind switch
            {
                EntityOperationKind.Insert => new TableTransactionAction(TableTransactionActionType.Add, ToTableEntity(op.Entity)),
                EntityOperationKind.Upsert => new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToTableEntity(op.Entity)),
                EntityOperationKind.Replace => new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToTableEntity(op.Entity), ToETag(op.IfMatch)),
                _ => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(op.Entity.PartitionKey, op.Entity.RowKey), ToETag(op.IfMatch)),
            });
        }

        var response = await client.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        var etags = new string?[operations.Count];
        for (var i = 0; i < operations.Count && i < response.Value.Count; i++)
        {
            etags[i] = operations[i].Kind == EntityOperationKind.Delete ? null : response.Value[i].Headers.ETag?.ToString();
        }

        return BatchResult.Success(etags);
    }

    public async Task EnsureTableAsync(string table, CancellationToken cancellationToken = default) =>
        await TableAsync(table, cancellationToken).ConfigureAwait(false);

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await foreach (var _ in _service.QueryAsync(maxPerPage: 1, cancellationToken: cancellationToken).AsPages(pageSizeHint: 1).ConfigureAwait(false))
            {
                break;
            }

            return true;
        }
        catch (Exception ex) when (IsUnavailable(ex, cancellationToken) || ex is RequestFailedException)
        {
            return false;
        }
    }

    /// <summary>The table client, after creating the table once per process (idempotent; a failed attempt is retried next time).</summary>
    private async Task<TableClient> TableAsync(string table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var lazy = _tables.GetOrAdd(table, t => new Lazy<Task<TableClient>>(() => CreateTableAsync(t)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            _tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(table, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateTableAsync(string table)
    {
        var name = StoreLimitValidator.PhysicalTableName(_prefix, table);
        var client = _service.GetTableClient(name);
        try
        {
            await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnavailable(ex, CancellationToken.None))
        {
            throw Unavailable(ex);
        }

        return client;
    }

    private static ETag ToETag(string? ifMatch) => ifMatch is null or "*" ? ETag.All : new ETag(ifMatch);

    private static bool IsUnavailable(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a network timeout, not the caller
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        AggregateException or System.Net.Http.HttpRequestException or System.Net.Sockets.SocketException or IOException or TimeoutException => true,
        AuthenticationFailedException or CredentialUnavailableException => true,
        _ => false,
    };

    private static StoreUnavailableException Unavailable(Exception ex) =>
        ex as StoreUnavailableException ?? new StoreUnavailableException("Azure Table Storage is unavailable.", ex);

    internal static TableEntity ToTableEntity(Entity entity)
    {
        var result = new TableEntity(entity.PartitionKey, entity.RowKey);
        foreach (var (name, value) in entity.Properties)
        {
            switch (value)
            {
                case null:
                    break;
                case DateTimeOffset dto:
                    result[name] = dto.UtcDateTime;
                    break;
                case DateTime dt:
                    result[name] = Dates.ToUtc(dt).UtcDateTime;
                    break;
                default:
                    result[name] = value;
                    break;
            }
        }

        return result;
    }

    internal static Entity ToEntity(TableEntity source)
    {
        var properties = new Dictionary<string, object?>(source.Count, StringComparer.Ordinal);
        foreach (var (name, value) in source)
        {
            if (Array.IndexOf(SystemProperties, name) >= 0 || value is null)
            {
                continue;
            }

            properties[name] = value switch
            {
                DateTime dt => Dates.ToUtc(dt),
                DateTimeOffset dto => dto.ToUniversalTime(),
                BinaryData bd => bd.ToArray(),
                _ => value,
            };
        }

        return new Entity(source.PartitionKey, source.RowKey, properties, source.ETag.ToString());
    }

    /// <summary>OData filter: partition, row-key range, then each property filter (values formatted and escaped by the SDK).</summary>
    internal static string BuildFilter(EntityQuery query)
    {
        var parts = new List<string> { TableClient.CreateQueryFilter($"PartitionKey eq {query.PartitionKey}") };
        if (query.RowKeyFrom is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"RowKey ge {query.RowKeyFrom}"));
        }

        if (query.RowKeyTo is not null)
        {
            parts.Add(TableClient.CreateQueryFilter($"RowKey lt {query.RowKeyTo}"));
        }

        foreach (var filter in query.Filters)
        {
            StoreLimitValidator.ValidatePropertyName(filter.Property);
            var op = filter.Operator switch
            {
                FilterOperator.Equal => "eq",
                FilterOperator.NotEqual => "ne",
                FilterOperator.GreaterThan => "gt",
                FilterOperator.GreaterThanOrEqual => "ge",
                FilterOperator.LessThan => "lt",
                FilterOperator.LessThanOrEqual => "le",
                _ => throw new ArgumentException($"Unknown operator {filter.Operator}."),
            };
            var value = filter.Value switch
            {
                DateTimeOffset dto => dto.UtcDateTime,
                DateTime dt => Dates.ToUtc(dt).UtcDateTime,
                var v => v,
            };
            parts.Add(TableClient.CreateQueryFilter(FormattableStringFactory.Create(filter.Property + " " + op + " {0}", value)));
        }

        return string.Join(" and ", parts);
    }
}
