using System.Collections.Concurrent;
using Smartspace.Storage;

namespace Smartspace.Functions.Ledger;

/// <summary>A WhatsApp business number of a contact center (Meta's phone_number_id is the channel id).</summary>
public sealed record ChannelInfo(string ChannelId, string TenantId, string DisplayNumber, string WabaId, string Name);

public sealed record TenantInfo(string TenantId, string Name, bool BotEnabled);

/// <summary>
/// Global look-ups in the <c>directory</c> table: channel → contact center (every webhook needs it) and
/// WABA → contact center. Cached briefly in memory; a write through this class refreshes its own cache,
/// other instances see it within <see cref="CacheTtl"/>.
/// </summary>
public sealed class ContactCenterDirectory(IEntityStore store, TimeProvider time)
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (ChannelInfo? Value, DateTimeOffset At)> channels = new();
    private readonly ConcurrentDictionary<string, (TenantInfo? Value, DateTimeOffset At)> tenants = new();

    public async Task<ChannelInfo?> GetChannelAsync(string channelId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (channels.TryGetValue(channelId, out var cached) && now - cached.At < CacheTtl)
        {
            return cached.Value;
        }

        var e = await store.GetAsync(Keys.DirectoryTable, Keys.ChannelPartition, channelId, ct);
        var value = e is null ? null : ToChannel(e);
        channels[channelId] = (value, now);
        return value;
    }

    public async Task<TenantInfo?> GetTenantAsync(string tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (tenants.TryGetValue(tenantId, out var cached) && now - cached.At < CacheTtl)
        {
            return cached.Value;
        }

        var e = await store.GetAsync(Keys.DirectoryTable, Keys.TenantPartition, tenantId, ct);
        var value = e is null ? null : new TenantInfo(tenantId, e.GetString("Name") ?? tenantId, e.GetBoolean("BotEnabled") ?? false);
        tenants[tenantId] = (value, now);
        return value;
    }

    public async Task<string?> GetTenantOfWabaAsync(string wabaId, CancellationToken ct) =>
        (await store.GetAsync(Keys.DirectoryTable, Keys.WabaPartition, wabaId, ct))?.GetString("TenantId");

    public async Task<List<TenantInfo>> GetTenantsAsync(CancellationToken ct)
    {
        var result = new List<TenantInfo>();
        string? token = null;
        do
        {
            var page = await store.QueryAsync(Keys.DirectoryTable, new EntityQuery(Keys.TenantPartition) { ContinuationToken = token }, ct);
            result.AddRange(page.Items.Select(e => new TenantInfo(e.RowKey, e.GetString("Name") ?? e.RowKey, e.GetBoolean("BotEnabled") ?? false)));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return result;
    }

    public async Task<List<ChannelInfo>> GetChannelsOfTenantAsync(string tenantId, CancellationToken ct)
    {
        var rows = await new LedgerStore(store).QueryAllAsync(tenantId, Keys.ChannelPrefix, ct);
        return rows.Select(e => new ChannelInfo(e.RowKey[Keys.ChannelPrefix.Length..], tenantId, e.GetString("DisplayNumber") ?? "", e.GetString("WabaId") ?? "", e.GetString("Name") ?? "")).ToList();
    }

    public async Task SaveTenantAsync(TenantInfo tenant, CancellationToken ct)
    {
        await store.SubmitAsync(Keys.DirectoryTable, [EntityOperation.Upsert(new Entity(Keys.TenantPartition, tenant.TenantId, new Dictionary<string, object?>
        {
            ["Name"] = tenant.Name,
            ["BotEnabled"] = tenant.BotEnabled,
        }))], ct);
        tenants[tenant.TenantId] = (tenant, time.GetUtcNow());
    }

    /// <summary>Registers a channel for a contact center (directory look-up row, WABA row and the tenant's own copy).</summary>
    public async Task<bool> SaveChannelAsync(ChannelInfo channel, CancellationToken ct)
    {
        var existing = await GetChannelAsync(channel.ChannelId, ct);
        if (existing is not null && existing.TenantId != channel.TenantId)
        {
            return false; // a number belongs to one contact center only
        }

        var props = new Dictionary<string, object?>
        {
            ["TenantId"] = channel.TenantId,
            ["DisplayNumber"] = channel.DisplayNumber,
            ["WabaId"] = channel.WabaId,
            ["Name"] = channel.Name,
        };
        await store.SubmitAsync(Keys.DirectoryTable, [EntityOperation.Upsert(new Entity(Keys.ChannelPartition, channel.ChannelId, props))], ct);
        await store.SubmitAsync(Keys.DirectoryTable, [EntityOperation.Upsert(new Entity(Keys.WabaPartition, channel.WabaId, new Dictionary<string, object?> { ["TenantId"] = channel.TenantId }))], ct);
        await store.SubmitAsync(Keys.LedgerTable, [EntityOperation.Upsert(new Entity(channel.TenantId, Keys.Channel(channel.ChannelId), props))], ct);
        channels[channel.ChannelId] = (channel, time.GetUtcNow());
        return true;
    }

    /// <summary>
    /// Agent ids are Web PubSub user ids (events go to the user id), so one id belongs to one contact center: this row
    /// maps it back to its owner. True when the id is now, or already was, this contact center's; false when another
    /// contact center has it — giving it to a second one would deliver the first one's conversations to both.
    /// </summary>
    public async Task<bool> ClaimAgentIdAsync(string agentId, string tenantId, CancellationToken ct)
    {
        var claim = await store.SubmitAsync(Keys.DirectoryTable, [EntityOperation.Insert(new Entity(Keys.AgentPartition, agentId, new Dictionary<string, object?> { ["TenantId"] = tenantId }))], ct);
        if (claim.Succeeded)
        {
            return true;
        }

        if (claim.Failure != StoreFailure.AlreadyExists)
        {
            throw new StoreUnavailableException($"Claiming agent id failed: {claim.Failure}.");
        }

        return await GetTenantOfAgentAsync(agentId, ct) == tenantId;
    }

    public async Task<string?> GetTenantOfAgentAsync(string agentId, CancellationToken ct) =>
        (await store.GetAsync(Keys.DirectoryTable, Keys.AgentPartition, agentId, ct))?.GetString("TenantId");

    private static ChannelInfo ToChannel(Entity e) =>
        new(e.RowKey, e.GetString("TenantId") ?? "", e.GetString("DisplayNumber") ?? "", e.GetString("WabaId") ?? "", e.GetString("Name") ?? "");
}
