using Smartspace.Core.Conversations;
using Smartspace.Core.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// Hands queued conversations to available agents with free capacity, in arrival order (the queue's row
/// keys are arrival-time ordered), least loaded first then longest idle. Each assignment is one atomic
/// batch — queue row deleted, conversation assigned, agent's open list grown — guarded by ETags, so
/// several instances routing at once never assign a conversation twice nor push an agent past the maximum.
/// </summary>
public sealed class QueueRouter(LedgerStore ledger, IAgentEventPublisher events, TimeProvider time, ILogger<QueueRouter> logger)
{
    private const int MaxConflicts = 20;

    /// <summary>Assigns as many queued conversations as capacity allows. Returns how many were assigned.</summary>
    public async Task<int> AssignWaitingAsync(string tenantId, CancellationToken ct)
    {
        var assigned = 0;
        var conflicts = 0;
        while (conflicts < MaxConflicts)
        {
            var page = await ledger.Store.QueryAsync(Keys.LedgerTable, EntityQuery.Prefix(tenantId, Keys.QueuePrefix) with { PageSize = 1 }, ct);
            var head = page.Items.FirstOrDefault();
            if (head is null)
            {
                return assigned;
            }

            var agents = await ledger.GetAgentsAsync(tenantId, ct);
            var pick = RoutingRules.PickAgent(agents.Select(a => a.ToState()));
            if (pick is null)
            {
                return assigned;
            }

            var conversationId = head.GetString("ConversationId")!;
            var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
            if (conversation is null || conversation.Stage != ConversationStage.Queued)
            {
                // Stale queue entry (e.g. superseded by an active conversation, R14): drop it.
                await ledger.SubmitAsync([EntityOperation.Delete(head)], ct);
                continue;
            }

            var agent = agents.First(a => a.AgentId == pick.Id);
            var now = time.GetUtcNow();
            agent.OpenConversationIds.Add(conversationId);
            agent.LastAssignedAt = now;
            agent.Version++;
            conversation.AgentId = agent.AgentId;
            conversation.Stage = ConversationStage.Open;
            conversation.AssignedAt = now;
            conversation.QueueKey = null;
            conversation.Version++;

            var result = await ledger.SubmitAsync(
            [
                EntityOperation.Delete(head),
                EntityOperation.Replace(conversation.ToEntity()),
                EntityOperation.Replace(agent.ToEntity()),
            ], ct);
            if (!result.Succeeded)
            {
                conflicts++;
                continue;
            }

            assigned++;
            logger.LogInformation("Assigned conversation {ConversationId} to agent {AgentId}", conversationId, agent.AgentId);
            await events.PublishAsync(new AgentEvent(AgentEventTypes.ConversationAssigned, tenantId, conversationId, conversation.Version, agent.AgentId,
                new { conversation = ConversationView.From(conversation) }), ct);
            await events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, tenantId, null, agent.Version, agent.AgentId,
                new { open = agent.OpenConversationIds.Count, max = agent.MaxConcurrent }), ct);
        }

        return assigned;
    }
}
