using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// Conversa ativa (R6, R7, R10, R12–R15): with the customer's and the agent's entities locked, read both, let
/// <see cref="ConversationRules.DecideStart"/> decide, then the agent holds the conversation and the customer begins it
/// (ending a bot or queue conversation, R14). Two agents racing for one customer, or one agent racing several
/// starts, queue on the locks: exactly one wins, the maximum is never exceeded — across processes too. The two entities
/// are read together and changed together (two round trips, not four): under the locks neither can change in between,
/// and each still checks its own half again.
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
            var agentRead = context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Get));
            var customerRead = context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Get));
            var agent = await agentRead;
            var customer = await customerRead;
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
            var holding = context.Entities.CallEntityAsync<CapacityReply>(agentId, nameof(AgentCapacity.Hold), input.ConversationId);
            var beginning = context.Entities.CallEntityAsync<CustomerReply>(customerId, nameof(CustomerConversation.Begin), new BeginConversation(input.ConversationId, input.AgentId, create.Stage));
            var held = await holding;
            var begun = await beginning;
            if (held.Refusal is not null || begun.Refusal is not null)
            {
                // Cannot happen under the locks (both were just read and decided on); if it did, neither half stays.
                var agentAfter = held.Refusal is null
                    ? await context.Entities.CallEntityAsync<AgentCapacityState>(agentId, nameof(AgentCapacity.Release), input.ConversationId)
                    : held.State;
                var customerAfter = begun.Refusal is null
                    ? await context.Entities.CallEntityAsync<CustomerConversationState>(customerId, nameof(CustomerConversation.Finish), input.ConversationId)
                    : begun.State;
                return new(StartKind.Refused, held.Refusal ?? begun.Refusal, null, null, windowOpen, null, customerAfter, agentAfter);
            }

            return new(StartKind.Created, null, input.ConversationId, create.Stage, windowOpen, begun.Ended, begun.State, held.State);
        }
    }
}
