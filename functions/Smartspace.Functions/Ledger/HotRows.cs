using System.Collections.Concurrent;
using Smartspace.Storage;

namespace Smartspace.Functions.Ledger;

/// <summary>
/// The rows the inbound path writes on every message (customer, conversation) as this process last committed them,
/// with their ETags, so the next message of the same customer needs no store read. Safe without invalidation from
/// other writers because every write built from a cached row is guarded by that row's ETag: if anyone changed the row
/// since (an agent, the router, another instance), the batch fails as a whole and the caller forgets the row and
/// reads it again. Bounded: past <see cref="MaxRows"/> it starts over empty.
/// </summary>
public sealed class HotRows
{
    public const int MaxRows = 100_000;

    private readonly ConcurrentDictionary<(string Tenant, string RowKey), Entity> rows = new();
    private int count;

    public T? Get<T>(string tenantId, string rowKey, Func<Entity, T> read) where T : class =>
        rows.TryGetValue((tenantId, rowKey), out var entity) ? read(entity) : null;

    /// <summary>Keeps a row just committed; <paramref name="entity"/> must carry the ETag the store returned and must not change afterwards.</summary>
    public void Remember(string tenantId, Entity entity)
    {
        var key = (tenantId, entity.RowKey);
        if (rows.TryGetValue(key, out _))
        {
            rows[key] = entity;
            return;
        }

        // ConcurrentDictionary.Count takes every lock: an approximate count of our own is kept instead.
        if (Interlocked.Increment(ref count) > MaxRows)
        {
            rows.Clear();
            Interlocked.Exchange(ref count, 1);
        }

        rows[key] = entity;
    }

    public void Forget(string tenantId, string rowKey)
    {
        if (rows.TryRemove((tenantId, rowKey), out _))
        {
            Interlocked.Decrement(ref count);
        }
    }
}
