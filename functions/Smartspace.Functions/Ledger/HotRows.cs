using System.Collections.Concurrent;

namespace Smartspace.Functions.Ledger;

/// <summary>A typed row that can be cached: a copy is handed out, so the caller's changes never reach the cache.</summary>
public interface IHotRow<out T>
{
    T Copy();
}

/// <summary>
/// The rows the inbound path writes on every message (customer, conversation) as this process last committed them,
/// with their ETags, so the next message of the same customer needs no store read. Safe without invalidation from
/// other writers because every write built from a cached row is guarded by that row's ETag: if anyone changed the row
/// since (an agent, the router, another instance), the batch fails as a whole and the caller forgets the row and
/// reads it again. Rows are kept typed (one object and the strings it already had), not as entities: an entity's
/// property bag is dozens of objects, which every message replaced and the GC had to promote — long gen-0 pauses.
/// Bounded: past <see cref="MaxRows"/> it starts over empty.
/// </summary>
public sealed class HotRows
{
    public const int MaxRows = 100_000;

    private readonly ConcurrentDictionary<(string Tenant, string RowKey), object> rows = new();
    private int count;

    /// <summary>A copy of the row last remembered under this key, or null.</summary>
    public T? Get<T>(string tenantId, string rowKey) where T : class, IHotRow<T> =>
        rows.TryGetValue((tenantId, rowKey), out var row) && row is T typed ? typed.Copy() : null;

    /// <summary>Keeps (a copy of) a row just committed; it must carry the ETag the store returned.</summary>
    public void Remember<T>(string tenantId, string rowKey, T row) where T : class, IHotRow<T>
    {
        var key = (tenantId, rowKey);
        var copy = row.Copy();
        if (rows.TryGetValue(key, out _))
        {
            rows[key] = copy;
            return;
        }

        // ConcurrentDictionary.Count takes every lock: an approximate count of our own is kept instead.
        if (Interlocked.Increment(ref count) > MaxRows)
        {
            rows.Clear();
            Interlocked.Exchange(ref count, 1);
        }

        rows[key] = copy;
    }

    public void Forget(string tenantId, string rowKey)
    {
        if (rows.TryRemove((tenantId, rowKey), out _))
        {
            Interlocked.Decrement(ref count);
        }
    }
}
