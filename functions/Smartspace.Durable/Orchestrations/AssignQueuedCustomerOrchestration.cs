using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// Routing: a queued customer goes to an available agent with room. With both locked: the agent must be available and
/// below the maximum (R12), the conversation still queued (not taken by an active start, R14); then the rows, then both change.
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
            return await Assignment.AssignAsync(context, customerId, agentId, input.TenantId, input.ChannelId, input.CustomerKey, input.ConversationId, input.AgentId, input.At ?? context.CurrentUtcDateTime);
        }
    }
}

/// <summary>
/// Bot hand-off: the bot's conversation goes to the queue (its row and queue entry written, then the customer's stage), or
/// straight on to an agent with room (both locked then).
/// </summary>
public sealed class BotHandoffOrchestration : TaskOrchestrator<BotHandoffInput, AssignmentOutcome>
{
    public const string Name = "BotHandoff";

    public override async Task<AssignmentOutcome> RunAsync(TaskOrchestrationContext context, BotHandoffInput input)
    {
        var customerId = EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey);
        var at = input.At ?? context.CurrentUtcDateTime;
        if (input.AgentId is null)
        {
            await using (await context.Entities.LockEntitiesAsync(customerId))
            {
                return new(false, null, await HandOffAsync(context, customerId, input, at), null);
            }
        }

        var agentId = EntityKeys.Agent(input.TenantId, input.AgentId);
        await using (await context.Entities.LockEntitiesAsync(customerId, agentId))
        {
            await HandOffAsync(context, customerId, input, at);
            return await Assignment.AssignAsync(context, customerId, agentId, input.TenantId, input.ChannelId, input.CustomerKey, input.ConversationId, input.AgentId, at);
        }
    }

    private static async Task<CustomerConversationState> HandOffAsync(TaskOrchestrationContext context, EntityInstanceId customerId, BotHandoffInput input, DateTimeOffset at)
    {
        var customer = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
        if (customer.ConversationId != input.ConversationId || customer.Stage != ConversationStage.Bot)
        {
            return customer; // already handed over, or no longer the bot's (idempotent)
        }

        await context.CallActivityAsync<bool>(EffectActivities.Queued, new ConversationQueued(input.TenantId, input.ChannelId, input.CustomerKey, input.ConversationId, at), EffectActivities.Retries);
        return await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.HandOff), input.ConversationId);
    }
}

/// <summary>An agent's maximum, availability or connection (<see cref="AssignmentRules.Update"/>), answered with the agent's state after it.</summary>
public sealed class UpdateAgentOrchestration : TaskOrchestrator<UpdateAgentInput, AgentCapacityState>
{
    public const string Name = "UpdateAgent";

    public override Task<AgentCapacityState> RunAsync(TaskOrchestrationContext context, UpdateAgentInput input) =>
        context.Entities.CallEntityAsync<AgentCapacityState>(EntityKeys.Agent(input.TenantId, input.AgentId), nameof(AgentCapacity.Update), input.Update);
}

/// <summary>LGPD erasure of a customer's entity state, refused while an agent holds a conversation with them.</summary>
public sealed class ForgetCustomerOrchestration : TaskOrchestrator<ForgetCustomerInput, CustomerReply>
{
    public const string Name = "ForgetCustomer";

    public override Task<CustomerReply> RunAsync(TaskOrchestrationContext context, ForgetCustomerInput input) =>
        context.Entities.CallEntityAsync<CustomerReply>(EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey), nameof(CustomerConversation.Forget));
}

internal static class Assignment
{
    /// <summary>Inside a critical section holding both: the agent takes the queued conversation if available with room.</summary>
    public static async Task<AssignmentOutcome> AssignAsync(TaskOrchestrationContext context, EntityInstanceId customerId, EntityInstanceId agentId, string tenantId, string channelId, string customerKey, string conversationId, string agentKey, DateTimeOffset at)
    {
        var agentRead = context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Get));
        var customerRead = context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
        var agent = await agentRead;
        var customer = await customerRead;
        if (customer.ConversationId != conversationId || customer.Stage != ConversationStage.Queued)
        {
            return new(false, RefusalCode.ConversationClosed, customer, agent);
        }

        if (!agent.Available || !agent.HasRoom)
        {
            return new(false, RefusalCode.AgentAtCapacity, customer, agent);
        }

        var expected = AssignmentRules.HoldAt(agent, conversationId, at);
        await context.CallActivityAsync<bool>(EffectActivities.Assigned, new ConversationAssigned(tenantId, channelId, customerKey, conversationId, agentKey, at, expected.State), EffectActivities.Retries);

        var holding = context.Entities.CallEntityAsync<CapacityReply>(agentId, nameof(AgentCapacity.HoldAt), new HoldConversation(conversationId, at));
        var assigning = context.Entities.CallEntityAsync<CustomerReply>(customerId, nameof(CustomerConversation.Assign), new AssignConversation(conversationId, agentKey));
        var held = await holding;
        var assigned = await assigning;
        return new(held.Refusal is null && assigned.Refusal is null, held.Refusal ?? assigned.Refusal, assigned.State, held.State);
    }
}
