using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// The invariants R12–R15 promise, read straight from a contact center's ledger partition (any adapter,
/// any number of handler instances): one conversation in progress per customer and channel, the
/// customer row pointing at it, no agent above their maximum, every agent's open list equal to the
/// conversations they really hold, and the queue equal to the queued conversations.
/// </summary>
public static class LedgerInvariants
{
    public static async Task<List<string>> ViolationsAsync(LedgerStore ledger, string tenantId, CancellationToken ct = default)
    {
        var violations = new List<string>();
        var conversations = (await ledger.QueryAllAsync(tenantId, Keys.ConversationPrefix, ct)).Select(ConversationRow.From).ToList();
        var customers = (await ledger.QueryAllAsync(tenantId, "cust|", ct)).Select(CustomerRow.From).ToList();
        var agents = await ledger.GetAgentsAsync(tenantId, ct);
        var queue = await ledger.QueryAllAsync(tenantId, Keys.QueuePrefix, ct);

        foreach (var group in conversations.Where(c => c.Stage.IsActive()).GroupBy(c => (c.ChannelId, c.CustomerKey)))
        {
            if (group.Count() > 1)
            {
                violations.Add($"customer {group.Key.CustomerKey[^4..]} on {group.Key.ChannelId} has {group.Count()} conversations in progress: {string.Join(", ", group.Select(c => $"{c.ConversationId}:{c.Stage}:{c.AgentId}"))}");
            }
        }

        foreach (var customer in customers)
        {
            var active = conversations.Where(c => c.Stage.IsActive() && c.ChannelId == customer.ChannelId && c.CustomerKey == customer.CustomerKey).Select(c => c.ConversationId).ToList();
            var expected = active.Count == 1 ? active[0] : null;
            if (active.Count <= 1 && customer.CurrentConversationId != expected)
            {
                violations.Add($"customer {customer.CustomerKey[^4..]} points at {customer.CurrentConversationId ?? "nothing"} but its conversation in progress is {expected ?? "none"}");
            }
        }

        foreach (var agent in agents)
        {
            var entity = await ledger.GetAsync(tenantId, Keys.Agent(agent.AgentId), ct);
            var openCount = entity?.GetInt32("OpenCount");
            var held = conversations.Where(c => c.AgentId == agent.AgentId && c.Stage.IsHeldByAgent()).Select(c => c.ConversationId).Order(StringComparer.Ordinal).ToList();
            var listed = agent.OpenConversationIds.Order(StringComparer.Ordinal).ToList();
            if (listed.Count > agent.MaxConcurrent || held.Count > agent.MaxConcurrent)
            {
                violations.Add($"agent {agent.AgentId} is above the maximum {agent.MaxConcurrent}: lists {listed.Count}, holds {held.Count}");
            }

            if (!listed.SequenceEqual(held))
            {
                violations.Add($"agent {agent.AgentId} lists [{string.Join(", ", listed)}] but holds [{string.Join(", ", held)}]");
            }

            if (openCount is not null && openCount != listed.Count)
            {
                violations.Add($"agent {agent.AgentId} OpenCount {openCount} differs from its list ({listed.Count})");
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

    public static async Task AssertHoldAsync(LedgerStore ledger, string tenantId)
    {
        var violations = await ViolationsAsync(ledger, tenantId);
        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    /// <summary>A ledger reader over the same Azure Tables (or Azurite) tables a handler uses: <c>&lt;prefix&gt;ledger</c>, <c>&lt;prefix&gt;directory</c>.</summary>
    public static LedgerStore TablesLedger(string connectionString, string tablePrefix) =>
        new(new Storage.Tables.TablesEntityStore(new StorageOptions { TablesConnectionString = connectionString, TablePrefix = tablePrefix }));
}
