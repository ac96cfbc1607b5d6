using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>R16: with both locked, the customer's conversation ends and the agent's capacity frees one unit — together.</summary>
public sealed class FinishConversationOrchestration : TaskOrchestrator<FinishConversationInput, FinishConversationOutcome>
{
    public const string Name = "FinishConversation";

    public override async Task<FinishConversationOutcome> RunAsync(TaskOrchestrationContext context, FinishConversationInput input)
    {
        var customerId = EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey);
        var agentId = EntityKeys.Agent(input.TenantId, input.AgentId);
        await using (await context.Entities.LockEntitiesAsync(customerId, agentId))
        {
            var before = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
            var finishing = context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Finish), input.ConversationId);
            var releasing = context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Release), input.ConversationId);
            var customer = await finishing;
            var agent = await releasing;
            return new(before.Version != customer.Version, customer, agent);
        }
    }
}
