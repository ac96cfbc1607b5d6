using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// An agent's availability for queue routing, kept by the agent's entity: set by an explicit status call or by the
/// real-time connection (connected/disconnected — available while at least one connection is open: closing one of two tabs,
/// or an old connection's late <c>disconnected</c> after a reconnect, changes nothing).
/// </summary>
public sealed class AgentAvailability(LedgerStore ledger, IConversationEntities entities, QueueRouter router, IAgentEventPublisher events)
{
    public Task<IResult> SetAsync(string tenantId, string agentId, bool available, CancellationToken ct) =>
        UpdateAsync(tenantId, agentId, new AgentUpdate(Available: available), ct);

    public Task<IResult> ConnectionChangedAsync(string tenantId, string agentId, string connectionId, bool connected, CancellationToken ct) =>
        UpdateAsync(tenantId, agentId, new AgentUpdate(ConnectionId: connectionId, Connected: connected), ct);

    private async Task<IResult> UpdateAsync(string tenantId, string agentId, AgentUpdate update, CancellationToken ct)
    {
        if (await ledger.GetAgentAsync(tenantId, agentId, ct) is null)
        {
            return ApiProblems.Refusal(RefusalCode.AgentNotFound);
        }

        var before = await entities.GetAgentAsync(tenantId, agentId, ct);
        var after = await entities.UpdateAgentAsync(new UpdateAgentInput(tenantId, agentId, update), ct);
        if (after.Available != before.Available || after.MaxConcurrent != before.MaxConcurrent)
        {
            await events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, tenantId, null, after.Version, agentId,
                new { open = after.Held.Count, max = after.MaxConcurrent, available = after.Available }), ct);
        }

        if (after.Available)
        {
            await router.AssignWaitingAsync(tenantId, ct);
        }

        return Results.Ok(new { agentId, available = after.Available });
    }
}
