using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Runtime;
using Smartspace.Storage;

namespace Smartspace.FunctionApp.Clients;

/// <summary>
/// <see cref="IConversationEntities"/> in Azure: the Functions host's Durable extension runs the entities and orchestrations
/// (task hub in host.json) and this process reaches it through the invocation's <c>[DurableClient]</c>
/// (<see cref="DurableClientAccessor"/>). An interactive call schedules its orchestration and polls the instance briefly
/// (from 40 ms up to 250 ms apart, for at most <c>Durable:CompletionTimeout</c>) instead of the client's completion wait, which
/// the Azure Storage provider answers on a 2-second poll. The webhook's signal is one-way; entity reads return the state as
/// last committed. Anything the runtime cannot answer — no client in this invocation, the host unreachable, an orchestration
/// that failed or has no outcome in time — is a <see cref="StoreUnavailableException"/> (503): the entities change only
/// inside the orchestrations, so nothing is half-done.
/// </summary>
public sealed class DurableClientConversationEntities(DurableClientAccessor clients, IOptions<DurableOptions> options) : IConversationEntities
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(250);

    public Task<StartConversationOutcome> StartAsync(StartConversationInput input, CancellationToken ct) => RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name, input, ct);

    public Task<FinishConversationOutcome> FinishAsync(FinishConversationInput input, CancellationToken ct) => RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, input, ct);

    public Task<AssignmentOutcome> AssignAsync(AssignQueuedCustomerInput input, CancellationToken ct) => RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name, input, ct);

    public Task<AssignmentOutcome> HandOffAsync(BotHandoffInput input, CancellationToken ct) => RunAsync<AssignmentOutcome>(BotHandoffOrchestration.Name, input, ct);

    public Task<AgentCapacityState> UpdateAgentAsync(UpdateAgentInput input, CancellationToken ct) => RunAsync<AgentCapacityState>(UpdateAgentOrchestration.Name, input, ct);

    public Task<CustomerReply> ForgetCustomerAsync(ForgetCustomerInput input, CancellationToken ct) => RunAsync<CustomerReply>(ForgetCustomerOrchestration.Name, input, ct);

    public Task SignalInboundAsync(string tenantId, string channelId, string customerKey, StagedInbound message, CancellationToken ct) =>
        GuardAsync(client => client.Entities.SignalEntityAsync(EntityKeys.Customer(tenantId, channelId, customerKey), nameof(CustomerConversation.InboundStaged), message, cancellation: ct), ct);

    public Task SignalConnectionAsync(string tenantId, string agentId, AgentConnection connection, CancellationToken ct) =>
        GuardAsync(client => client.Entities.SignalEntityAsync(EntityKeys.Agent(tenantId, agentId), nameof(AgentCapacity.Connection), connection, cancellation: ct), ct);

    public Task<CustomerConversationState> GetCustomerAsync(string tenantId, string channelId, string customerKey, CancellationToken ct) =>
        GuardAsync(async client => (await client.Entities.GetEntityAsync<CustomerConversationState>(EntityKeys.Customer(tenantId, channelId, customerKey), ct))?.State ?? CustomerConversationState.Empty, ct);

    public Task<AgentCapacityState> GetAgentAsync(string tenantId, string agentId, CancellationToken ct) =>
        GuardAsync(async client => (await client.Entities.GetEntityAsync<AgentCapacityState>(EntityKeys.Agent(tenantId, agentId), ct))?.State ?? AgentCapacityState.Empty, ct);

    /// <summary>Starts <paramref name="name"/> with <paramref name="input"/> and returns its output once it completes.</summary>
    private Task<T> RunAsync<T>(string name, object input, CancellationToken ct) => GuardAsync(async client =>
    {
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(new TaskName(name), input, ct);
        var timeout = options.Value.CompletionTimeout;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var delay = FirstPoll;
        try
        {
            while (true)
            {
                await Task.Delay(delay, limit.Token);
                var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, limit.Token);
                if (instance is { IsCompleted: true })
                {
                    if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                    {
                        throw new StoreUnavailableException($"Orchestration {name} ({instanceId}) ended {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorType} {instance.FailureDetails?.ErrorMessage}".TrimEnd());
                    }

                    return instance.ReadOutputAs<T>() ?? throw new StoreUnavailableException($"Orchestration {name} ({instanceId}) completed without an output.");
                }

                delay = delay * 2 > LongestPoll ? LongestPoll : delay * 2;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new StoreUnavailableException($"Orchestration {name} ({instanceId}) had no outcome within {timeout.TotalSeconds:0.#} s.");
        }
    }, ct);

    private Task GuardAsync(Func<DurableTaskClient, Task> call, CancellationToken ct) => GuardAsync(async client =>
    {
        await call(client);
        return true;
    }, ct);

    /// <summary>The invocation's client, or a 503 saying why there is none; any failure of the runtime a 503 too.</summary>
    private async Task<T> GuardAsync<T>(Func<DurableTaskClient, Task<T>> call, CancellationToken ct)
    {
        var client = clients.Current ?? throw new StoreUnavailableException(
            "No Durable client in this call: the Durable entities are reached only from a function invocation that declares a [DurableClient] binding (see DurableClientAccessor).");
        try
        {
            return await call(client);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (StoreUnavailableException)
        {
            throw;
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // A call cut short by the caller surfaces as the transport's own error (gRPC Cancelled): it is a cancellation.
            throw new OperationCanceledException("The Durable call was cancelled.", e, ct);
        }
        catch (Exception e)
        {
            throw new StoreUnavailableException("The Durable runtime did not answer: " + e.GetType().Name, e);
        }
    }
}

public static class DurableClientServiceCollectionExtensions
{
    /// <summary>
    /// The entities client of the Function App in Azure (the Functions host's Durable extension runs the task hub):
    /// <see cref="DurableClientConversationEntities"/> over the invocation's <c>[DurableClient]</c>. <c>Durable:CompletionTimeout</c>
    /// bounds an interactive call's wait for its orchestration.
    /// </summary>
    public static IServiceCollection AddDurableClientEntities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DurableOptions>()
            .Bind(configuration.GetSection(DurableOptions.SectionName))
            .Validate(o => o.CompletionTimeout > TimeSpan.Zero, "Durable:CompletionTimeout must be positive.")
            .ValidateOnStart();
        services.AddSingleton<IConversationEntities, DurableClientConversationEntities>();
        return services;
    }
}
