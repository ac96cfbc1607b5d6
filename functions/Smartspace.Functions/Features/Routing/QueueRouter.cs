using Smartspace.Core.Conversations;
using Smartspace.Core.Routing;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// Hands queued conversations to available agents with free capacity, in arrival order (the queue index's row keys are
/// arrival-time ordered), least loaded first then longest idle (<see cref="RoutingRules.PickAgent"/>, over the agents'
/// entities). Each assignment is an orchestration holding the customer's and the agent's entities
/// (<see cref="AssignQueuedCustomerOrchestration"/>): several instances routing at once never assign a conversation twice
/// nor push an agent past the maximum — the entities refuse, and this pass reads again.
/// </summary>
public sealed class QueueRouter(LedgerStore ledger, IConversationEntities entities, TimeProvider time)
{
    private const int MaxRefusals = 20;

    /// <summary>Assigns as many queued conversations as capacity allows. Returns how many were assigned.</summary>
    public async Task<int> AssignWaitingAsync(string tenantId, CancellationToken ct)
    {
        var assigned = 0;
        var refusals = 0;
        while (refusals < MaxRefusals)
        {
            var page = await ledger.Store.QueryAsync(Keys.LedgerTable, EntityQuery.Prefix(tenantId, Keys.QueuePrefix) with { PageSize = 1 }, ct);
            var head = page.Items.FirstOrDefault();
            if (head is null)
            {
                return assigned;
            }

            var conversationId = head.GetString("ConversationId")!;
            var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
            if (conversation is null || conversation.Stage != ConversationStage.Queued)
            {
                // Stale index entry (e.g. superseded by an active conversation, R14): drop it.
                await ledger.SubmitAsync([EntityOperation.Delete(head)], ct);
                continue;
            }

            var agents = await ledger.GetAgentsAsync(tenantId, ct);
            var states = await Task.WhenAll(agents.Where(a => a.Role == AgentRole.Agent)
                .Select(async a => (await entities.GetAgentAsync(tenantId, a.AgentId, ct)).ToAgentState(a.AgentId, a.Role)));
            var pick = RoutingRules.PickAgent(states);
            if (pick is null)
            {
                return assigned;
            }

            var outcome = await entities.AssignAsync(new AssignQueuedCustomerInput(tenantId, pick.Id, conversation.ChannelId, conversation.CustomerKey, conversationId, time.GetUtcNow()), ct);
            if (outcome.Assigned)
            {
                assigned++;
                continue;
            }

            refusals++;
            if (outcome.Refusal == RefusalCode.ConversationClosed && outcome.Customer.ConversationId != conversationId)
            {
                // The customer's entity has moved on from this conversation: its index entry is stale.
                await ledger.SubmitAsync([EntityOperation.Delete(head)], ct);
            }
        }

        return assigned;
    }
}
