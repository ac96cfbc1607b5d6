using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Routing;

/// <summary>An agent's availability for queue routing: set by an explicit status call or by the real-time connection (connected/disconnected).</summary>
public sealed class AgentAvailability(LedgerStore ledger, QueueRouter router, IAgentEventPublisher events)
{
    public async Task<IResult> SetAsync(string tenantId, string agentId, bool available, CancellationToken ct)
    {
        for (var attempt = 1; attempt <= 30; attempt++)
        {
            var agent = await ledger.GetAgentAsync(tenantId, agentId, ct);
            if (agent is null)
            {
                return ApiProblems.Refusal(Core.Conversations.RefusalCode.AgentNotFound);
            }

            if (agent.Available == available)
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
