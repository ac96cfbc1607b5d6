using DurableTask.Core;
using DurableTask.Core.Entities;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// The Azure Storage provider as the local worker sees it, with a shorter pause after a failed work item. After one fails,
/// DTFx Core's dispatchers wait the provider's answer to <see cref="GetDelayInSecondsAfterOnProcessException"/> before
/// <em>each</em> fetch until five work items in a row have succeeded; the Azure Storage provider answers a fixed 10 s (its
/// class is sealed, no setting changes it). After a storage outage every work item the outage broke fails once more when the
/// store returns ("pop receipt did not match"), and each such failure starts the count again: measured, the entity
/// dispatcher then took one work item per 10 s for 40–100 s while customers' messages waited. Here a failure pauses that
/// dispatcher for <see cref="Backoff"/> (a store still down is then asked once a second per dispatcher, which costs it
/// nothing). Everything else goes to the provider unchanged; the work items it hands out come back to it as they were.
/// </summary>
internal sealed class ShortBackoffOrchestrationService(IOrchestrationService inner) : IOrchestrationService, IEntityOrchestrationService
{
    /// <summary>The pause after a failed fetch or a failed work item, in seconds (DTFx's dispatcher takes whole seconds).</summary>
    internal const int Backoff = 1;

    private readonly IEntityOrchestrationService entities = inner as IEntityOrchestrationService
        ?? throw new ArgumentException("The provider does not run entities.", nameof(inner));

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => Math.Min(Backoff, inner.GetDelayInSecondsAfterOnProcessException(exception));

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => Math.Min(Backoff, inner.GetDelayInSecondsAfterOnFetchException(exception));

    public EntityBackendProperties? EntityBackendProperties => entities.EntityBackendProperties;

    public EntityBackendQueries? EntityBackendQueries => entities.EntityBackendQueries;

    public Task<TaskOrchestrationWorkItem> LockNextOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        entities.LockNextOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task<TaskOrchestrationWorkItem> LockNextEntityWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        entities.LockNextEntityWorkItemAsync(receiveTimeout, cancellationToken);

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public Task StartAsync() => inner.StartAsync();

    public Task StopAsync() => inner.StopAsync();

    public Task StopAsync(bool isForced) => inner.StopAsync(isForced);

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) => inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage) => inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);

    public Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem) => inner.AbandonTaskActivityWorkItemAsync(workItem);
}
