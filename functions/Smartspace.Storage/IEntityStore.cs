namespace Smartspace.Storage;

/// <summary>
/// The entity store port, shaped like Azure Table Storage: entities are addressed by
/// (table, partition key, row key), carry an ETag, and change either one at a time or in an
/// atomic batch inside one partition. Both adapters (SQLite, Azure Tables) enforce Azure's limits
/// themselves (see <see cref="StoreLimits"/>), so code that passes locally passes on Azure.
/// Business conflicts (stale ETag, row already present, row missing) are typed results the caller
/// retries; only an unreachable store throws (<see cref="StoreUnavailableException"/>).
/// </summary>
public interface IEntityStore
{
    /// <summary>Reads one entity, or null when it does not exist.</summary>
    Task<Entity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default);

    /// <summary>Reads one page of a partition, ordered by row key (ordinal).</summary>
    Task<EntityPage> QueryAsync(string table, EntityQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies the operations atomically: all succeed or none does. All operations must target the
    /// same partition, at most <see cref="StoreLimits.MaxBatchOperations"/>, each entity once, and the
    /// batch must fit <see cref="StoreLimits.MaxBatchBytes"/>; otherwise <see cref="StoreLimitException"/>
    /// is thrown before anything is written.
    /// </summary>
    Task<BatchResult> SubmitAsync(string table, IReadOnlyList<EntityOperation> operations, CancellationToken cancellationToken = default);

    /// <summary>Creates the table when it does not exist yet (idempotent).</summary>
    Task EnsureTableAsync(string table, CancellationToken cancellationToken = default);

    /// <summary>True when the store answers; used by the health endpoint.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken = default);
}

/// <summary>One stored entity. Property values are string, bool, int, long, double, DateTimeOffset, Guid or byte[].</summary>
public sealed class Entity
{
    public Entity(string partitionKey, string rowKey, IDictionary<string, object?>? properties = null, string? etag = null)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        Properties = properties is null ? new Dictionary<string, object?>(StringComparer.Ordinal) : new Dictionary<string, object?>(properties, StringComparer.Ordinal);
        ETag = etag;
    }

    private Entity(string partitionKey, string rowKey, Dictionary<string, object?> properties, string? etag)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
        Properties = properties;
        ETag = etag;
    }

    /// <summary>
    /// An entity that takes <paramref name="properties"/> as its own instead of copying it (the hot paths build one
    /// fresh, presized dictionary per row). The caller must not use the dictionary afterwards.
    /// </summary>
    public static Entity Owning(string partitionKey, string rowKey, Dictionary<string, object?> properties, string? etag = null) =>
        properties.Comparer == StringComparer.Ordinal
            ? new Entity(partitionKey, rowKey, properties, etag)
            : new Entity(partitionKey, rowKey, (IDictionary<string, object?>)properties, etag);

    public string PartitionKey { get; }
    public string RowKey { get; }
    /// <summary>The version read from the store; null for entities built in memory.</summary>
    public string? ETag { get; set; }
    public Dictionary<string, object?> Properties { get; }

    public object? this[string name]
    {
        get => Properties.TryGetValue(name, out var v) ? v : null;
        set => Properties[name] = value;
    }

    public string? GetString(string name) => this[name] as string;
    public long? GetInt64(string name) => this[name] switch { long l => l, int i => i, double d => (long)d, _ => null };
    public int? GetInt32(string name) => this[name] switch { int i => i, long l => (int)l, double d => (int)d, _ => null };
    public bool? GetBoolean(string name) => this[name] as bool?;
    public double? GetDouble(string name) => this[name] switch { double d => d, int i => i, long l => l, _ => null };
    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] switch { DateTimeOffset d => d, DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)), _ => null };

    public Entity Clone() => new(PartitionKey, RowKey, Properties, ETag);
}

public enum EntityOperationKind
{
    /// <summary>Fails with <see cref="StoreFailure.AlreadyExists"/> when the entity exists.</summary>
    Insert,
    /// <summary>Replaces the whole entity; requires <see cref="EntityOperation.IfMatch"/> (an ETag, or "*" for any version).</summary>
    Replace,
    /// <summary>Insert or replace, unconditional (last writer wins).</summary>
    Upsert,
    /// <summary>Deletes; requires <see cref="EntityOperation.IfMatch"/> (an ETag, or "*").</summary>
    Delete,
}

public sealed record EntityOperation(EntityOperationKind Kind, Entity Entity, string? IfMatch = null)
{
    public static EntityOperation Insert(Entity entity) => new(EntityOperationKind.Insert, entity);
    /// <summary>Replace guarded by the entity's own ETag (or "*" when it has none).</summary>
    public static EntityOperation Replace(Entity entity, string? ifMatch = null) => new(EntityOperationKind.Replace, entity, ifMatch ?? entity.ETag ?? "*");
    public static EntityOperation Upsert(Entity entity) => new(EntityOperationKind.Upsert, entity);
    public static EntityOperation Delete(Entity entity, string? ifMatch = null) => new(EntityOperationKind.Delete, entity, ifMatch ?? entity.ETag ?? "*");
}

public enum StoreFailure
{
    None,
    /// <summary>Insert of a key that exists (Tables 409 EntityAlreadyExists).</summary>
    AlreadyExists,
    /// <summary>If-Match did not match the stored ETag (Tables 412).</summary>
    PreconditionFailed,
    /// <summary>Replace/Delete of a missing entity (Tables 404).</summary>
    NotFound,
}

/// <summary>Outcome of a batch. On success <see cref="ETags"/> holds the new ETag of each operation (null for deletes).</summary>
public sealed record BatchResult(StoreFailure Failure, int FailedIndex, IReadOnlyList<string?> ETags)
{
    public bool Succeeded => Failure == StoreFailure.None;
    /// <summary>True when re-reading and re-deciding may succeed (an optimistic-concurrency conflict).</summary>
    public bool IsConflict => Failure is StoreFailure.AlreadyExists or StoreFailure.PreconditionFailed or StoreFailure.NotFound;
    public static BatchResult Success(IReadOnlyList<string?> etags) => new(StoreFailure.None, -1, etags);
    public static BatchResult Failed(StoreFailure failure, int index) => new(failure, index, Array.Empty<string?>());
}

public enum FilterOperator { Equal, NotEqual, GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual }

/// <summary>A comparison of one property with a constant; entities without the property do not match.</summary>
public sealed record PropertyFilter(string Property, FilterOperator Operator, object Value);

/// <summary>
/// A partition query: row keys in [<see cref="RowKeyFrom"/>, <see cref="RowKeyTo"/>) (either bound optional),
/// all <see cref="Filters"/> true (AND), at most <see cref="PageSize"/> (1..1000) entities per page.
/// </summary>
public sealed record EntityQuery(string PartitionKey)
{
    public string? RowKeyFrom { get; init; }
    public string? RowKeyTo { get; init; }
    public IReadOnlyList<PropertyFilter> Filters { get; init; } = Array.Empty<PropertyFilter>();
    public int PageSize { get; init; } = 1000;
    public string? ContinuationToken { get; init; }

    /// <summary>All row keys starting with <paramref name="prefix"/>.</summary>
    public static EntityQuery Prefix(string partitionKey, string prefix) =>
        new(partitionKey) { RowKeyFrom = prefix, RowKeyTo = prefix + '\uffff' };
}

public sealed record EntityPage(IReadOnlyList<Entity> Items, string? ContinuationToken);

/// <summary>Azure Table Storage's limits, enforced by every adapter.</summary>
public static class StoreLimits
{
    public const int MaxBatchOperations = 100;
    public const int MaxBatchBytes = 4 * 1024 * 1024;
    public const int MaxEntityBytes = 1024 * 1024;
    public const int MaxKeyLength = 1024;
    public const int MaxPropertiesPerEntity = 252;
    public const int MaxStringChars = 32 * 1024;
}

/// <summary>The store cannot be reached (network, disk, service down). The webhook answers 503 so Meta retries.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A batch or entity breaks one of Azure Table Storage's limits; nothing was written.</summary>
public sealed class StoreLimitException(string message) : Exception(message);
