using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Placement;

namespace Smartspace.FunctionApp.Functions;

/// <summary>
/// The Durable entities, orchestrations and activities on the Functions host's Durable extension (Azure Storage provider, task hub
/// in host.json): each function dispatches to the same class the local host runs on DTFx against Azurite. Entity
/// function names are the entity names (the runtime lower-cases them: <see cref="EntityKeys"/>).
/// </summary>
public static class DurableFunctions
{
    /// <summary>One customer on one channel: conversation in progress, window, last conversation, name (R6–R14, P4).</summary>
    [Function(nameof(CustomerConversation))]
    public static Task CustomerConversationEntity([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<CustomerConversation>();

    /// <summary>One agent's capacity (R12, R16).</summary>
    [Function(nameof(AgentCapacity))]
    public static Task AgentCapacityEntity([EntityTrigger] TaskEntityDispatcher dispatcher) => dispatcher.DispatchAsync<AgentCapacity>();

    /// <summary>Conversa ativa with both locked (R6, R7, R12–R14).</summary>
    [Function(StartConversationOrchestration.Name)]
    public static Task<StartConversationOutcome> StartConversation([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new StartConversationOrchestration().RunAsync(context, Input<StartConversationInput>(context));

    /// <summary>R16 with both locked.</summary>
    [Function(FinishConversationOrchestration.Name)]
    public static Task<FinishConversationOutcome> FinishConversation([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new FinishConversationOrchestration().RunAsync(context, Input<FinishConversationInput>(context));

    /// <summary>A queued customer to an available agent with room.</summary>
    [Function(AssignQueuedCustomerOrchestration.Name)]
    public static Task<AssignmentOutcome> AssignQueuedCustomer([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new AssignQueuedCustomerOrchestration().RunAsync(context, Input<AssignQueuedCustomerInput>(context));

    /// <summary>The bot passes the customer to the queue or to an agent.</summary>
    [Function(BotHandoffOrchestration.Name)]
    public static Task<AssignmentOutcome> BotHandoff([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new BotHandoffOrchestration().RunAsync(context, Input<BotHandoffInput>(context));

    /// <summary>Places a stored customer message into the conversation its entity chose (scheduled by the entity, one instance per wamid).</summary>
    [Function(PlaceInboundOrchestration.Name)]
    public static Task<bool> PlaceInbound([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PlaceInboundOrchestration().RunAsync(context, Input<PlaceInboundInput>(context));

    /// <summary>
    /// The placement activity, with its port from the invocation's services: <see cref="IInboundPlacement"/> is the
    /// product's to register (its Tables implementation comes when the webhook moves onto the entities; until then
    /// nothing schedules this and an invocation would fail for want of the port).
    /// </summary>
    [Function(PlaceInboundMessageActivity.Name)]
    public static Task<bool> PlaceInboundMessage([ActivityTrigger] PlaceInboundInput input, FunctionContext context) =>
        new PlaceInboundMessageActivity(context.InstanceServices.GetRequiredService<IInboundPlacement>()).PlaceAsync(input, context.CancellationToken);

    private static T Input<T>(TaskOrchestrationContext context) =>
        context.GetInput<T>() ?? throw new InvalidOperationException($"Orchestration {context.Name} started without its {typeof(T).Name}.");
}
