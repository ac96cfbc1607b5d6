using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// Every entity and orchestration of the product, by the name the runtime knows it under. The local runtime registers
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
    };

    /// <summary>Lower-case names: the runtime lower-cases entity names.</summary>
    public static IReadOnlyDictionary<string, Func<ITaskEntity>> Entities { get; } = new Dictionary<string, Func<ITaskEntity>>(StringComparer.OrdinalIgnoreCase)
    {
        [EntityKeys.CustomerConversationName] = () => new CustomerConversation(),
        [EntityKeys.AgentCapacityName] = () => new AgentCapacity(),
    };
}
