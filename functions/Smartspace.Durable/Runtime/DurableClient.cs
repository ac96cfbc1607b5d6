using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using DurableTask.Core.History;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;
using Microsoft.DurableTask.Entities;
using Smartspace.Durable.Client;

namespace Smartspace.Durable.Runtime;

/// <summary>An orchestration instance as recorded: its status, the execution that has it, and its output.</summary>
public sealed record InstanceStatus(OrchestrationStatus Status, string ExecutionId, string? Output);

/// <summary>The orchestration did not finish in time, or failed: the caller answers 503 (nothing half-written: the entities change only inside it).</summary>
public sealed class DurableUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The small client the product needs on the local runtime: schedule an orchestration and wait for its outcome fast
/// (an in-process notice, else a short poll of the instance — never DTFx's 2-second completion polling), signal an
/// entity, read an entity's state. Inputs and outputs use the SDK's own converter, as the shims do.
/// </summary>
public sealed class DurableClient
{
    private static readonly DataConverter Converter = JsonDataConverter.Default;

    private readonly AzureStorageOrchestrationService service;
    private readonly Completions completions;
    private readonly TimeSpan timeout;

    internal DurableClient(AzureStorageOrchestrationService service, Completions completions, TimeSpan timeout)
    {
        this.service = service;
        this.completions = completions;
        this.timeout = timeout;
    }

    /// <summary>Starts <paramref name="name"/> with <paramref name="input"/> and returns its output when it completes.</summary>
    public async Task<TOutput> RunAsync<TOutput>(string name, object input, CancellationToken ct)
    {
        var instanceId = Guid.NewGuid().ToString("N");
        var waiter = completions.Register(instanceId);
        try
        {
            await ScheduleAsync(name, instanceId, input).ConfigureAwait(false);
            var result = await WaitAsync(instanceId, waiter.Task, ct).ConfigureAwait(false);
            if (result.Status != OrchestrationStatus.Completed)
            {
                throw new DurableUnavailableException($"Orchestration {name} ended {result.Status}: {result.Output}");
            }

            return Converter.Deserialize<TOutput>(result.Output)
                ?? throw new DurableUnavailableException($"Orchestration {name} completed without an output.");
        }
        finally
        {
            completions.Forget(instanceId);
        }
    }

    /// <summary>Starts an orchestration and returns at once (its outcome is not awaited).</summary>
    public Task ScheduleAsync(string name, string instanceId, object input)
    {
        var instance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = Guid.NewGuid().ToString("N") };
        var started = new ExecutionStartedEvent(-1, Converter.Serialize(input))
        {
            Name = name,
            Version = string.Empty,
            OrchestrationInstance = instance,
        };
        return service.CreateTaskOrchestrationAsync(new TaskMessage { OrchestrationInstance = instance, Event = started });
    }

    /// <summary>An orchestration instance's status and execution id as the task hub records it, or null when there is none.</summary>
    public async Task<InstanceStatus?> GetInstanceAsync(string instanceId)
    {
        var states = await service.GetOrchestrationStateAsync(instanceId, allExecutions: false).ConfigureAwait(false);
        return states?.FirstOrDefault() is { } state ? new InstanceStatus(state.OrchestrationStatus, state.OrchestrationInstance.ExecutionId, state.Output) : null;
    }

    /// <summary>One-way operation on an entity: durable once enqueued, processed in order with the entity's other operations.</summary>
    public Task SignalEntityAsync(EntityInstanceId entity, string operation, object? input = null)
    {
        var target = new OrchestrationInstance { InstanceId = new EntityId(entity.Name, entity.Key).ToString() };
        var message = ClientEntityHelpers.EmitOperationSignal(target, Guid.NewGuid(), operation, input is null ? null : Converter.Serialize(input), null);
        return service.SendTaskOrchestrationMessageAsync(message.AsTaskMessage());
    }

    /// <summary>The entity's state as last committed, or default when it has none.</summary>
    public async Task<TState?> GetEntityStateAsync<TState>(EntityInstanceId entity, CancellationToken ct)
    {
        var metadata = await ((IEntityOrchestrationService)service).EntityBackendQueries!.GetEntityAsync(new EntityId(entity.Name, entity.Key), includeState: true, includeStateless: false, ct).ConfigureAwait(false);
        return metadata?.SerializedState is { } state ? Converter.Deserialize<TState>(state) : default;
    }

    /// <summary>Who holds the entity's lock (an orchestration instance id) and how many operations wait in its backlog; null when it has no state.</summary>
    public async Task<(string? LockedBy, int Backlog)?> GetEntityLockAsync(EntityInstanceId entity, CancellationToken ct)
    {
        var metadata = await ((IEntityOrchestrationService)service).EntityBackendQueries!.GetEntityAsync(new EntityId(entity.Name, entity.Key), includeState: false, includeStateless: true, ct).ConfigureAwait(false);
        return metadata is { } m ? (m.LockedBy, m.BacklogQueueSize) : null;
    }

    private async Task<OrchestrationResult> WaitAsync(string instanceId, Task<OrchestrationResult> notified, CancellationToken ct)
    {
        try
        {
            return await CompletionPoll.UntilAsync(
                async _ =>
                {
                    var states = await service.GetOrchestrationStateAsync(instanceId, allExecutions: false).ConfigureAwait(false);
                    return states?.FirstOrDefault() is { } state && state.OrchestrationStatus is OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled
                        ? new OrchestrationResult(state.OrchestrationStatus, state.Output)
                        : null;
                },
                timeout,
                ct,
                notified).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new DurableUnavailableException(e.Message, e);
        }
    }
}
