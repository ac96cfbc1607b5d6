using Smartspace.Storage;

namespace Smartspace.Functions.Ledger;

/// <summary>Typed reads of the ledger partition of one contact center; writes go through <see cref="SubmitAsync"/> as one atomic batch.</summary>
public sealed class LedgerStore(IEntityStore store)
{
    public IEntityStore Store => store;

    public async Task<AgentRow?> GetAgentAsync(string tenantId, string agentId, CancellationToken ct) =>
        await store.GetAsync(Keys.LedgerTable, tenantId, Keys.Agent(agentId), ct) is { } e ? AgentRow.From(e) : null;

    public async Task<CustomerRow?> GetCustomerAsync(string tenantId, string channelId, string customerKey, CancellationToken ct) =>
        await store.GetAsync(Keys.LedgerTable, tenantId, Keys.Customer(channelId, customerKey), ct) is { } e ? CustomerRow.From(e) : null;

    public async Task<ConversationRow?> GetConversationAsync(string tenantId, string conversationId, CancellationToken ct) =>
        await store.GetAsync(Keys.LedgerTable, tenantId, Keys.Conversation(conversationId), ct) is { } e ? ConversationRow.From(e) : null;

    public async Task<MessageRow?> GetMessageAsync(string tenantId, string conversationId, long seq, CancellationToken ct) =>
        await store.GetAsync(Keys.LedgerTable, tenantId, Keys.Message(conversationId, seq), ct) is { } e ? MessageRow.From(e) : null;

    public Task<Entity?> GetAsync(string tenantId, string rowKey, CancellationToken ct) =>
        store.GetAsync(Keys.LedgerTable, tenantId, rowKey, ct);

    /// <summary>Every entity of a row-key prefix, across pages.</summary>
    public async Task<List<Entity>> QueryAllAsync(string tenantId, string prefix, CancellationToken ct, IReadOnlyList<PropertyFilter>? filters = null)
    {
        var result = new List<Entity>();
        string? token = null;
        do
        {
            var query = EntityQuery.Prefix(tenantId, prefix) with { ContinuationToken = token, Filters = filters ?? [] };
            var page = await store.QueryAsync(Keys.LedgerTable, query, ct);
            result.AddRange(page.Items);
            token = page.ContinuationToken;
        }
        while (token is not null);
        return result;
    }

    public async Task<List<MessageRow>> GetMessagesAsync(string tenantId, string conversationId, long afterVersion, CancellationToken ct)
    {
        var filters = afterVersion > 0 ? new[] { new PropertyFilter("Version", FilterOperator.GreaterThan, afterVersion) } : null;
        var rows = await QueryAllAsync(tenantId, Keys.MessagePrefix(conversationId), ct, filters);
        return rows.Select(MessageRow.From).ToList();
    }

    public async Task<List<AgentRow>> GetAgentsAsync(string tenantId, CancellationToken ct) =>
        (await QueryAllAsync(tenantId, Keys.AgentPrefix, ct)).Select(AgentRow.From).ToList();

    public Task<BatchResult> SubmitAsync(IReadOnlyList<EntityOperation> operations, CancellationToken ct) =>
        store.SubmitAsync(Keys.LedgerTable, operations, ct);
}
