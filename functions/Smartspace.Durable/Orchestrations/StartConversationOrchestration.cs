using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// Conversa ativa (R6, R7, R10, R12–R15): with the customer's and the agent's entities locked, read both, let
/// <see cref="ConversationRules.DecideStart"/> decide, write the rows (<see cref="IConversationEffects.StartedAsync"/>: the
/// conversation, the template message and its outbox entry, the bot or queue conversation it ends), then the agent holds
/// the conversation and the customer begins it (R14). Two agents racing for one customer, or one agent racing several
/// starts, queue on the locks: exactly one wins, the maximum is never exceeded — across processes too. The rows come
/// before the entities: a store that is down fails the activity and leaves both entities as they were; under the locks
/// the entities' own checks cannot refuse what was just decided, and each still checks its own half again.
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
            var expectedAgent = AssignmentRules.HoldAt(agent, input.ConversationId, input.At);
            var expectedCustomer = AssignmentRules.Begin(customer, input.ConversationId, input.AgentId, create.Stage);
            if (expectedAgent.Refusal is not null || expectedCustomer.Refusal is not null)
            {
                return new(StartKind.Refused, expectedAgent.Refusal ?? expectedCustomer.Refusal, null, null, windowOpen, null, customer, agent);
            }

            await context.CallActivityAsync<bool>(EffectActivities.Started,
                new ConversationStarted(input, create.Stage, windowOpen, expectedCustomer.Ended, expectedCustomer.State, expectedAgent.State), EffectActivities.Retries);

            var holding = context.Entities.CallEntityAsync<CapacityReply>(agentId, nameof(AgentCapacity.HoldAt), new HoldConversation(input.ConversationId, input.At));
            var beginning = context.Entities.CallEntityAsync<CustomerReply>(customerId, nameof(CustomerConversation.Begin), new BeginConversation(input.ConversationId, input.AgentId, create.Stage));
            var held = await holding;
            var begun = await beginning;
            return new(StartKind.Created, held.Refusal ?? begun.Refusal, input.ConversationId, create.Stage, windowOpen, begun.Ended, begun.State, held.State);
        }
    }
}
