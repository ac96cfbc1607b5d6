using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Durable.Effects;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Placement;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// Every entity, orchestration and activity of the product, by the name the runtime knows it under. The local runtime registers
/// these; the Function App's trigger functions dispatch to the same classes.
/// </summary>
public static class DurableCatalog
{
    public static IReadOnlyDictionary<string, Func<ITaskOrchestrator>> Orchestrators { get; } = new Dictionary<string, Func<ITaskOrchestrator>>(StringComparer.Ordinal)
    {
        [StartConversationOrchestration.Name] = () => new StartConversationOrchestration(),
        [FinishConversationOrchestration.Name] = () => new FinishConversationOrchestration(),
        [AssignQueuedCustomerOrchestration.Name] = () => new AssignQueuedCustomerOrchestration(),
        [BotHandoffOrchestration.Name] = () => new BotHandoffOrchestration(),
        [PlaceInboundOrchestration.Name] = () => new PlaceInboundOrchestration(),
        [UpdateAgentOrchestration.Name] = () => new UpdateAgentOrchestration(),
        [ForgetCustomerOrchestration.Name] = () => new ForgetCustomerOrchestration(),
    };

    /// <summary>
    /// Activities, created per run from the host's services (a scope per run when the provider makes scopes): the ports
    /// they call — <see cref="IInboundPlacement"/>, <see cref="IConversationEffects"/> — are the host's to register.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<IServiceProvider, ITaskActivity>> Activities { get; } = new Dictionary<string, Func<IServiceProvider, ITaskActivity>>(StringComparer.Ordinal)
    {
        [PlaceInboundMessageActivity.Name] = services => new PlaceInboundMessageActivity(services.GetRequiredService<IInboundPlacement>()),
        [EffectActivities.Started] = services => EffectActivities.ForStarted(services.GetRequiredService<IConversationEffects>()),
        [EffectActivities.Finished] = services => EffectActivities.ForFinished(services.GetRequiredService<IConversationEffects>()),
        [EffectActivities.Assigned] = services => EffectActivities.ForAssigned(services.GetRequiredService<IConversationEffects>()),
        [EffectActivities.Queued] = services => EffectActivities.ForQueued(services.GetRequiredService<IConversationEffects>()),
    };

    /// <summary>
    /// Lower-case names: the runtime lower-cases entity names. Created per batch from the host's services: the customer's
    /// entity places messages through <see cref="IInboundPlacement"/>, and the agent's announces an availability change through
    /// <see cref="IAgentAvailabilityEffects"/>, when the host has them.
    /// </summary>
    public static IReadOnlyDictionary<string, Func<IServiceProvider, ITaskEntity>> Entities { get; } = new Dictionary<string, Func<IServiceProvider, ITaskEntity>>(StringComparer.OrdinalIgnoreCase)
    {
        [EntityKeys.CustomerConversationName] = services => new CustomerConversation(services.GetService<IInboundPlacement>()),
        [EntityKeys.AgentCapacityName] = services => new AgentCapacity(services.GetService<IAgentAvailabilityEffects>()),
    };
}
