using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// R16: with the customer and the agent holding the conversation locked, the rows are written (the conversation closed with
/// its qualification, the history entry, the agents' events), then the customer's conversation ends and the agent's
/// capacity frees one unit — together. A conversation no agent holds (bot or queue, ended by a supervisor) locks the customer only.
/// </summary>
public sealed class FinishConversationOrchestration : TaskOrchestrator<FinishConversationInput, FinishConversationOutcome>
{
    public const string Name = "FinishConversation";

    public override async Task<FinishConversationOutcome> RunAsync(TaskOrchestrationContext context, FinishConversationInput input)
    {
        var customerId = EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey);
        EntityInstanceId? agentId = input.AgentId is null ? null : EntityKeys.Agent(input.TenantId, input.AgentId);
        var at = input.At ?? context.CurrentUtcDateTime;
        await using (await (agentId is { } agentKey ? context.Entities.LockEntitiesAsync(customerId, agentKey) : context.Entities.LockEntitiesAsync(customerId)))
        {
            var before = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
            AgentCapacityState? agent = null;
            if (agentId is { } id)
            {
                agent = await context.Entities.CallEntityAsync<AgentCapacityState>(id, nameof(AgentCapacity.Get));
            }

            var agentAfter = agent is null ? null : AssignmentRules.Release(agent, input.ConversationId);
            await context.CallActivityAsync<bool>(EffectActivities.Finished, new ConversationFinished(input, at, agentAfter), EffectActivities.Retries);

            var customer = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Finish), input.ConversationId);
            if (agentId is { } holder)
            {
                agent = await context.Entities.CallEntityAsync<AgentCapacityState>(holder, nameof(AgentCapacity.Release), input.ConversationId);
            }

            return new(before.Version != customer.Version, customer, agent ?? AgentCapacityState.Empty);
        }
    }
}
