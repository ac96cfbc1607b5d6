using Smartspace.Storage;

namespace Smartspace.Functions.Ledger;

/// <summary>
/// A named lease in the directory table so that a sweep runs on one instance at a time (the role the
/// Functions host's blob lease plays for timer functions). Acquired by insert-if-absent or by an
/// ETag-guarded replace once expired; never held past its expiry, so a crashed holder blocks nobody for long.
/// </summary>
public sealed class Leases(IEntityStore store, TimeProvider time)
{
    public async Task<Entity?> TryAcquireAsync(string name, string owner, TimeSpan duration, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var current = await store.GetAsync(Keys.DirectoryTable, Keys.LeasePartition, name, ct);
        if (current is not null && current.GetString("Owner") != owner && (current.GetDateTimeOffset("ExpiresAt") ?? now) > now)
        {
            return null;
        }

        var lease = new Entity(Keys.LeasePartition, name, new Dictionary<string, object?> { ["Owner"] = owner, ["ExpiresAt"] = now + duration }, current?.ETag);
        var result = await store.SubmitAsync(Keys.DirectoryTable, [current is null ? EntityOperation.Insert(lease) : EntityOperation.Replace(lease)], ct);
        if (!result.Succeeded)
        {
            return null;
        }

        lease.ETag = result.ETags[0];
        return lease;
    }

    public async Task ReleaseAsync(Entity lease, CancellationToken ct)
    {
        lease["ExpiresAt"] = time.GetUtcNow();
        await store.SubmitAsync(Keys.DirectoryTable, [EntityOperation.Replace(lease)], ct);
    }
}
