using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Placement;
using Smartspace.FunctionApp.Clients;

namespace Smartspace.FunctionApp.Functions;

/// <summary>
/// The Durable entities, orchestrations and activities on the Functions host's Durable extension (Azure Storage provider, task hub
/// in host.json): each function dispatches to the same class the local host runs on DTFx against Azurite. Entity
/// function names are the entity names (the runtime lower-cases them: <see cref="EntityKeys"/>).
/// </summary>
public static class DurableFunctions
{
    /// <summary>
    /// One customer on one channel: conversation in progress, window, last conversation, name (R6–R14, P4). Built per batch with
    /// the placement port from the invocation's services, so a staged customer message is placed inline (one queue hop);
    /// without a port the entity schedules <see cref="PlaceInboundOrchestration"/> instead.
    /// </summary>
    /// <remarks>
    /// The placement asks for queue routing, which runs in the background and assigns through the orchestrations
    /// (<see cref="IConversationEntities"/>): the function declares a <c>[DurableClient]</c> for it.
    /// </remarks>
    [Function(nameof(CustomerConversation))]
    public static async Task CustomerConversationEntity([EntityTrigger] TaskEntityDispatcher dispatcher, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        Clients(context).Use(client);
        await dispatcher.DispatchAsync(new CustomerConversation(context.InstanceServices.GetService<IInboundPlacement>()));
    }

    /// <summary>
    /// One agent's capacity (R12, R16) and presence (R18): a connection that changes availability announces it and asks
    /// for queue routing through <see cref="IAgentAvailabilityEffects"/>, which assigns through the orchestrations — so the
    /// function declares a <c>[DurableClient]</c> too.
    /// </summary>
    [Function(nameof(AgentCapacity))]
    public static async Task AgentCapacityEntity([EntityTrigger] TaskEntityDispatcher dispatcher, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        Clients(context).Use(client);
        await dispatcher.DispatchAsync(new AgentCapacity(context.InstanceServices.GetService<IAgentAvailabilityEffects>()));
    }

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

    /// <summary>An agent's settings (capacity, availability) on the agent's entity; the outcome is the capacity after it.</summary>
    [Function(UpdateAgentOrchestration.Name)]
    public static Task<AgentCapacityState> UpdateAgent([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new UpdateAgentOrchestration().RunAsync(context, Input<UpdateAgentInput>(context));

    /// <summary>LGPD erasure of a customer's entity state.</summary>
    [Function(ForgetCustomerOrchestration.Name)]
    public static Task<CustomerReply> ForgetCustomer([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new ForgetCustomerOrchestration().RunAsync(context, Input<ForgetCustomerInput>(context));

    /// <summary>Places a stored customer message into the conversation its entity chose (scheduled by the entity, one instance per wamid).</summary>
    [Function(PlaceInboundOrchestration.Name)]
    public static Task<bool> PlaceInbound([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new PlaceInboundOrchestration().RunAsync(context, Input<PlaceInboundInput>(context));

    /// <summary>The placement activity (a retry of what the customer's entity could not place inline), with its port from the invocation's services.</summary>
    [Function(PlaceInboundMessageActivity.Name)]
    public static async Task<PlacementOutcome> PlaceInboundMessage([ActivityTrigger] PlaceInboundInput input, [DurableClient] DurableTaskClient client, FunctionContext context)
    {
        Clients(context).Use(client); // the placement's queue routing, as in the entity
        return await new PlaceInboundMessageActivity(context.InstanceServices.GetRequiredService<IInboundPlacement>()).PlaceAsync(input, context.CancellationToken);
    }

    /// <summary>Makes a start decided under both locks visible (rows, template message, agents' events) before the entities change.</summary>
    [Function(EffectActivities.Started)]
    public static Task<bool> StartedEffect([ActivityTrigger] ConversationStarted input, FunctionContext context) =>
        EffectActivities.ForStarted(Effects(context)).RunAsync(new FunctionActivityContext(EffectActivities.Started, context), input);

    /// <summary>Makes a finish decided under the locks visible (R16).</summary>
    [Function(EffectActivities.Finished)]
    public static Task<bool> FinishedEffect([ActivityTrigger] ConversationFinished input, FunctionContext context) =>
        EffectActivities.ForFinished(Effects(context)).RunAsync(new FunctionActivityContext(EffectActivities.Finished, context), input);

    /// <summary>Makes a queued customer's assignment to an agent visible.</summary>
    [Function(EffectActivities.Assigned)]
    public static Task<bool> AssignedEffect([ActivityTrigger] ConversationAssigned input, FunctionContext context) =>
        EffectActivities.ForAssigned(Effects(context)).RunAsync(new FunctionActivityContext(EffectActivities.Assigned, context), input);

    /// <summary>Makes the bot's hand-off to the queue visible.</summary>
    [Function(EffectActivities.Queued)]
    public static Task<bool> QueuedEffect([ActivityTrigger] ConversationQueued input, FunctionContext context) =>
        EffectActivities.ForQueued(Effects(context)).RunAsync(new FunctionActivityContext(EffectActivities.Queued, context), input);

    private static DurableClientAccessor Clients(FunctionContext context) => context.InstanceServices.GetRequiredService<DurableClientAccessor>();

    /// <summary><see cref="IConversationEffects"/> is the product's to register (its Tables and real-time implementation).</summary>
    private static IConversationEffects Effects(FunctionContext context) => context.InstanceServices.GetRequiredService<IConversationEffects>();

    private static T Input<T>(TaskOrchestrationContext context) =>
        context.GetInput<T>() ?? throw new InvalidOperationException($"Orchestration {context.Name} started without its {typeof(T).Name}.");

    /// <summary>
    /// The SDK's activity context for an activity class run by an <c>[ActivityTrigger]</c> function: its name, and the id of the
    /// orchestration instance that called it (the trigger's <c>instanceId</c> binding data, when the host sends it).
    /// </summary>
    private sealed class FunctionActivityContext(string name, FunctionContext context) : TaskActivityContext
    {
        public override TaskName Name { get; } = new(name);

        public override string InstanceId { get; } =
            context.BindingContext.BindingData.TryGetValue("instanceId", out var id) && id is not null ? id.ToString() ?? "" : "";
    }
}
