using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Routing;

/// <summary>An agent's availability for queue routing: set by an explicit status call or by the real-time connection (connected/disconnected).</summary>
public sealed class AgentAvailability(LedgerStore ledger, QueueRouter router, IAgentEventPublisher events)
{
    public Task<IResult> SetAsync(string tenantId, string agentId, bool available, CancellationToken ct) =>
        UpdateAsync(tenantId, agentId, agent => available, ct);

    /// <summary>
    /// A real-time connection opened or closed. The agent is available while at least one connection is open:
    /// closing one of two tabs, or an old connection's late <c>disconnected</c> after a reconnect, changes nothing.
    /// </summary>
    public Task<IResult> ConnectionChangedAsync(string tenantId, string agentId, string connectionId, bool connected, CancellationToken ct) =>
        UpdateAsync(tenantId, agentId, agent =>
        {
            agent.Connections.Remove(connectionId);
            if (connected)
            {
                agent.Connections.Add(connectionId);
            }

            return agent.Connections.Count > 0;
        }, ct);

    private async Task<IResult> UpdateAsync(string tenantId, string agentId, Func<AgentRow, bool> change, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 30; attempt++)
        {
            var agent = await ledger.GetAgentAsync(tenantId, agentId, ct);
            if (agent is null)
            {
                return ApiProblems.Refusal(Core.Conversations.RefusalCode.AgentNotFound);
            }

            var connectionsBefore = agent.Connections.Count;
            var available = change(agent);
            if (agent.Available == available && agent.Connections.Count == connectionsBefore)
            {
                return Results.Ok(new { agentId, available });
            }

            agent.Available = available;
            agent.Version++;
            var result = await ledger.SubmitAsync([EntityOperation.Replace(agent.ToEntity())], ct);
            if (!result.Succeeded)
            {
                continue;
            }

            await events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, tenantId, null, agent.Version, agentId,
                new { open = agent.OpenConversationIds.Count, max = agent.MaxConcurrent, available }), ct);
            if (available)
            {
                await router.AssignWaitingAsync(tenantId, ct);
            }

            return Results.Ok(new { agentId, available });
        }

        throw new StoreUnavailableException("Availability kept conflicting.");
    }
}
