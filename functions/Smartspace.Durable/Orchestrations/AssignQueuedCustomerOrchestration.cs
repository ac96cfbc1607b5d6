using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// Routing: a queued customer goes to an available agent with room. With both locked: the agent must be available and
/// below the maximum (R12), the conversation still queued (not taken by an active start, R14); then both change.
/// </summary>
public sealed class AssignQueuedCustomerOrchestration : TaskOrchestrator<AssignQueuedCustomerInput, AssignmentOutcome>
{
    public const string Name = "AssignQueuedCustomer";

    public override async Task<AssignmentOutcome> RunAsync(TaskOrchestrationContext context, AssignQueuedCustomerInput input)
    {
        var customerId = EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey);
        var agentId = EntityKeys.Agent(input.TenantId, input.AgentId);
        await using (await context.Entities.LockEntitiesAsync(customerId, agentId))
        {
            return await Assignment.AssignAsync(context, customerId, agentId, input.ConversationId, input.AgentId);
        }
    }
}

/// <summary>Bot hand-off: the bot's conversation goes to the queue, or straight to an agent with room (both locked then).</summary>
public sealed class BotHandoffOrchestration : TaskOrchestrator<BotHandoffInput, AssignmentOutcome>
{
    public const string Name = "BotHandoff";

    public override async Task<AssignmentOutcome> RunAsync(TaskOrchestrationContext context, BotHandoffInput input)
    {
        var customerId = EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey);
        if (input.AgentId is null)
        {
            var queued = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.HandOff), input.ConversationId);
            return new(false, null, queued, null);
        }

        var agentId = EntityKeys.Agent(input.TenantId, input.AgentId);
        await using (await context.Entities.LockEntitiesAsync(customerId, agentId))
        {
            await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.HandOff), input.ConversationId);
            return await Assignment.AssignAsync(context, customerId, agentId, input.ConversationId, input.AgentId);
        }
    }
}

internal static class Assignment
{
    /// <summary>Inside a critical section holding both: the agent takes the queued conversation if available with room.</summary>
    public static async Task<AssignmentOutcome> AssignAsync(TaskOrchestrationContext context, Microsoft.DurableTask.Entities.EntityInstanceId customerId, Microsoft.DurableTask.Entities.EntityInstanceId agentId, string conversationId, string agentKey)
    {
        var agent = await context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Get));
        var customer = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
        if (customer.ConversationId != conversationId || customer.Stage != ConversationStage.Queued)
        {
            return new(false, RefusalCode.ConversationClosed, customer, agent);
        }

        if (!agent.Available || !agent.HasRoom)
        {
            return new(false, RefusalCode.AgentAtCapacity, customer, agent);
        }

        var held = await context.Entities.CallEntityAsync<CapacityReply>(agentId, nameof(AgentCapacity.Hold), conversationId);
        if (held.Refusal is { } full)
        {
            return new(false, full, customer, held.State);
        }

        var assigned = await context.Entities.CallEntityAsync<CustomerReply>(customerId, nameof(CustomerConversation.Assign), new AssignConversation(conversationId, agentKey));
        if (assigned.Refusal is { } refusal)
        {
            var released = await context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Release), conversationId);
            return new(false, refusal, assigned.State, released);
        }

        return new(true, null, assigned.State, held.State);
    }
}
