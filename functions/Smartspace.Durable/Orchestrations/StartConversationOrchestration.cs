using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// Conversa ativa (R6, R7, R10, R12–R15): with the customer's and the agent's entities locked, read both, let
/// <see cref="ConversationRules.DecideStart"/> decide, then the agent holds the conversation and the customer begins it
/// (ending a bot or queue conversation, R14). Two agents racing for one customer, or one agent racing several
/// starts, queue on the locks: exactly one wins, the maximum is never exceeded — across processes too.
/// </summary>
public sealed class StartConversationOrchestration : TaskOrchestrator<StartConversationInput, StartConversationOutcome>
{
    public const string Name = "StartConversation";

    public override async Task<StartConversationOutcome> RunAsync(TaskOrchestrationContext context, StartConversationInput input)
    {
        var customerId = EntityKeys.Customer(input.TenantId, input.ChannelId, input.CustomerKey);
        var agentId = EntityKeys.Agent(input.TenantId, input.AgentId);
        await using (await context.Entities.LockEntitiesAsync(customerId, agentId))
        {
            var agent = await context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Get));
            var customer = await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
            var windowOpen = ServiceWindow.IsOpen(customer.LastInboundAt, input.At);
            var decision = ConversationRules.DecideStart(agent.ToAgentState(input.AgentId), customer.Current(input.ChannelId, input.CustomerKey), windowOpen, input.TemplateProvided);
            switch (decision)
            {
                case StartDecision.Refused refused:
                    return new(StartKind.Refused, refused.Code, null, null, windowOpen, null, customer, agent);
                case StartDecision.ReturnExisting existing:
                    return new(StartKind.Existing, null, existing.Conversation.Id, existing.Conversation.Stage, windowOpen, null, customer, agent);
            }

            var create = (StartDecision.Create)decision;
            var held = await context.Entities.CallEntityAsync<CapacityReply>(agentId, nameof(AgentCapacity.Hold), input.ConversationId);
            if (held.Refusal is { } full)
            {
                return new(StartKind.Refused, full, null, null, windowOpen, null, customer, held.State);
            }

            var begun = await context.Entities.CallEntityAsync<CustomerReply>(customerId, nameof(CustomerConversation.Begin), new BeginConversation(input.ConversationId, input.AgentId, create.Stage));
            if (begun.Refusal is { } taken)
            {
                var released = await context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Release), input.ConversationId);
                return new(StartKind.Refused, taken, null, null, windowOpen, null, begun.State, released);
            }

            return new(StartKind.Created, null, input.ConversationId, create.Stage, windowOpen, begun.Ended, begun.State, held.State);
        }
    }
}
