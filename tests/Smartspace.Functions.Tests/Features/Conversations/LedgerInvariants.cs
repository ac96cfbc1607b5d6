using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Runtime;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// The invariants R12–R15 promise, read from a contact center's rows and entities (any number of host processes): one
/// conversation in progress per customer and channel, the customer's entity naming it, no agent above their maximum,
/// every agent's entity holding exactly the conversations their rows say they hold, and the queue index equal to the
/// queued conversations.
/// </summary>
public static class LedgerInvariants
{
    public static async Task<List<string>> ViolationsAsync(LedgerStore ledger, IConversationEntities entities, string tenantId, CancellationToken ct = default)
    {
        var violations = new List<string>();
        var conversations = (await ledger.QueryAllAsync(tenantId, Keys.ConversationPrefix, ct)).Select(ConversationRow.From).ToList();
        var agents = await ledger.GetAgentsAsync(tenantId, ct);
        var queue = await ledger.QueryAllAsync(tenantId, Keys.QueuePrefix, ct);

        foreach (var group in conversations.Where(c => c.Stage.IsActive()).GroupBy(c => (c.ChannelId, c.CustomerKey)))
        {
            if (group.Count() > 1)
            {
                violations.Add($"customer {group.Key.CustomerKey[^4..]} on {group.Key.ChannelId} has {group.Count()} conversations in progress: {string.Join(", ", group.Select(c => $"{c.ConversationId}:{c.Stage}:{c.AgentId}"))}");
            }
        }

        foreach (var customer in conversations.Where(c => c.CustomerKey.Length > 0).Select(c => (c.ChannelId, c.CustomerKey)).Distinct())
        {
            var active = conversations.Where(c => c.Stage.IsActive() && c.ChannelId == customer.ChannelId && c.CustomerKey == customer.CustomerKey).Select(c => c.ConversationId).ToList();
            var expected = active.Count == 1 ? active[0] : null;
            var state = await entities.GetCustomerAsync(tenantId, customer.ChannelId, customer.CustomerKey, ct);
            var current = state.InProgress ? state.ConversationId : null;
            if (active.Count <= 1 && current != expected)
            {
                violations.Add($"customer {customer.CustomerKey[^4..]}'s entity has {current ?? "nothing"} in progress but its conversation in progress is {expected ?? "none"}");
            }
        }

        foreach (var agent in agents)
        {
            var capacity = await entities.GetAgentAsync(tenantId, agent.AgentId, ct);
            var held = conversations.Where(c => c.AgentId == agent.AgentId && c.Stage.IsHeldByAgent()).Select(c => c.ConversationId).Order(StringComparer.Ordinal).ToList();
            var listed = capacity.Held.Order(StringComparer.Ordinal).ToList();
            if (listed.Count > capacity.MaxConcurrent || held.Count > capacity.MaxConcurrent)
            {
                violations.Add($"agent {agent.AgentId} is above the maximum {capacity.MaxConcurrent}: entity holds {listed.Count}, rows hold {held.Count}");
            }

            if (!listed.SequenceEqual(held))
            {
                violations.Add($"agent {agent.AgentId}'s entity holds [{string.Join(", ", listed)}] but the rows hold [{string.Join(", ", held)}]");
            }
        }

        var queued = conversations.Where(c => c.Stage == ConversationStage.Queued).ToList();
        var queueIds = queue.Select(q => q.GetString("ConversationId")).ToList();
        foreach (var c in queued.Where(c => !queueIds.Contains(c.ConversationId)))
        {
            violations.Add($"queued conversation {c.ConversationId} has no queue entry");
        }

        foreach (var entry in queue.Where(q => queued.All(c => c.ConversationId != q.GetString("ConversationId"))))
        {
            violations.Add($"queue entry {entry.RowKey} names a conversation that is not queued");
        }

        return violations;
    }

    public static async Task AssertHoldAsync(LedgerStore ledger, IConversationEntities entities, string tenantId)
    {
        var violations = await ViolationsAsync(ledger, entities, tenantId);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    public static Task AssertHoldAsync(Infrastructure.HandlerFactory factory, string tenantId) =>
        AssertHoldAsync(factory.Get<LedgerStore>(), factory.Get<IConversationEntities>(), tenantId);

    /// <summary>A ledger reader over the same Azure Tables (or Azurite) tables a handler uses: <c>&lt;prefix&gt;ledger</c>, <c>&lt;prefix&gt;directory</c>.</summary>
    public static LedgerStore TablesLedger(string connectionString, string tablePrefix) =>
        new(new Storage.Tables.TablesEntityStore(new StorageOptions { TablesConnectionString = connectionString, TablePrefix = tablePrefix }));

    /// <summary>A client of the task hub the hosts of <paramref name="tablePrefix"/> run (it runs nothing itself): their entities' state.</summary>
    public static async Task<IConversationEntities> TablesEntitiesAsync(string connectionString, string tablePrefix)
    {
        var client = await LocalDurableRuntime.ConnectClientAsync(new DurableOptions { ConnectionString = connectionString, TaskHub = Testing.TestDurable.TaskHubFor(tablePrefix) });
        return new LocalConversationEntities(() => client);
    }

    /// <summary>
    /// The entities of <paramref name="tenantId"/> left locked (by an orchestration that never released them): every
    /// customer with a conversation row, every agent of the directory. Empty when none is.
    /// </summary>
    public static async Task<List<string>> LockedEntitiesAsync(string connectionString, string tablePrefix, string tenantId)
    {
        var ledger = TablesLedger(connectionString, tablePrefix);
        var client = await LocalDurableRuntime.ConnectClientAsync(new DurableOptions { ConnectionString = connectionString, TaskHub = Testing.TestDurable.TaskHubFor(tablePrefix) });
        var ids = (await ledger.QueryAllAsync(tenantId, Keys.ConversationPrefix, CancellationToken.None)).Select(ConversationRow.From)
            .Select(c => Durable.Entities.EntityKeys.Customer(tenantId, c.ChannelId, c.CustomerKey))
            .Concat((await ledger.GetAgentsAsync(tenantId, CancellationToken.None)).Select(a => Durable.Entities.EntityKeys.Agent(tenantId, a.AgentId)))
            .Distinct()
            .ToList();
        var locked = new List<string>();
        foreach (var id in ids)
        {
            if (await client.GetEntityLockAsync(id, CancellationToken.None) is { LockedBy: { } holder } info)
            {
                locked.Add($"{id}: locked by {holder}, backlog {info.Backlog}");
            }
        }

        return locked;
    }

    /// <summary>
    /// For a placement that does not finish: each staged message's customer entity — who holds its lock, how many operations
    /// wait in its backlog, its version — so a stuck entity is named in the failure, not just its staged rows.
    /// </summary>
    public static async Task<string> DescribeStagedAsync(string connectionString, string tablePrefix)
    {
        var ledger = TablesLedger(connectionString, tablePrefix);
        var client = await LocalDurableRuntime.ConnectClientAsync(new DurableOptions { ConnectionString = connectionString, TaskHub = Testing.TestDurable.TaskHubFor(tablePrefix) });
        var lines = new List<string>();
        foreach (var tenant in new[] { Infrastructure.HandlerFactory.TenantId, "outro" })
        {
            foreach (var staged in await ledger.QueryAllAsync(tenant, Keys.StagedPrefix, CancellationToken.None))
            {
                var entity = Durable.Entities.EntityKeys.Customer(tenant, staged.GetString("ChannelId") ?? "", staged.GetString("CustomerKey") ?? "");
                var lockInfo = await client.GetEntityLockAsync(entity, CancellationToken.None);
                var state = await client.GetEntityStateAsync<CustomerConversationState>(entity, CancellationToken.None);
                lines.Add($"{staged.RowKey}: entity locked by {lockInfo?.LockedBy ?? "nobody"}, backlog {lockInfo?.Backlog}, version {state?.Version}, stage {state?.Stage}, recent {state?.Recent?.Count}");
            }
        }

        return string.Join("\n", lines.Distinct().Take(20));
    }
}
