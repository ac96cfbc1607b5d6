using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Runtime;
using Smartspace.Storage;

namespace Smartspace.Durable.Client;

/// <summary>
/// <see cref="IConversationEntities"/> over a local runtime's client (this process's <see cref="DurableRuntimeHost"/>, or a
/// client-only connection to a task hub other processes run): orchestration outcomes from the in-process completion notice
/// (else a short poll), signals and entity reads through the task hub on Azurite.
/// </summary>
public sealed class LocalConversationEntities(Func<DurableClient> client) : IConversationEntities
{
    public LocalConversationEntities(DurableRuntimeHost host)
        : this(() => host.Client)
    {
    }

    public Task<StartConversationOutcome> StartAsync(StartConversationInput input, CancellationToken ct) => RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name, input, ct);

    public Task<FinishConversationOutcome> FinishAsync(FinishConversationInput input, CancellationToken ct) => RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, input, ct);

    public Task<AssignmentOutcome> AssignAsync(AssignQueuedCustomerInput input, CancellationToken ct) => RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name, input, ct);

    public Task<AssignmentOutcome> HandOffAsync(BotHandoffInput input, CancellationToken ct) => RunAsync<AssignmentOutcome>(BotHandoffOrchestration.Name, input, ct);

    public Task<AgentCapacityState> UpdateAgentAsync(UpdateAgentInput input, CancellationToken ct) => RunAsync<AgentCapacityState>(UpdateAgentOrchestration.Name, input, ct);

    public Task<CustomerReply> ForgetCustomerAsync(ForgetCustomerInput input, CancellationToken ct) => RunAsync<CustomerReply>(ForgetCustomerOrchestration.Name, input, ct);

    public Task SignalInboundAsync(string tenantId, string channelId, string customerKey, StagedInbound message, CancellationToken ct) =>
        GuardAsync(() => client().SignalEntityAsync(EntityKeys.Customer(tenantId, channelId, customerKey), nameof(CustomerConversation.InboundStaged), message));

    public Task SignalConnectionAsync(string tenantId, string agentId, AgentConnection connection, CancellationToken ct) =>
        GuardAsync(() => client().SignalEntityAsync(EntityKeys.Agent(tenantId, agentId), nameof(AgentCapacity.Connection), connection));

    public async Task<CustomerConversationState> GetCustomerAsync(string tenantId, string channelId, string customerKey, CancellationToken ct) =>
        await GuardAsync(() => client().GetEntityStateAsync<CustomerConversationState>(EntityKeys.Customer(tenantId, channelId, customerKey), ct)) ?? CustomerConversationState.Empty;

    public async Task<AgentCapacityState> GetAgentAsync(string tenantId, string agentId, CancellationToken ct) =>
        await GuardAsync(() => client().GetEntityStateAsync<AgentCapacityState>(EntityKeys.Agent(tenantId, agentId), ct)) ?? AgentCapacityState.Empty;

    private Task<T> RunAsync<T>(string name, object input, CancellationToken ct) => GuardAsync(() => client().RunAsync<T>(name, input, ct));

    private static async Task GuardAsync(Func<Task> call) => await GuardAsync(async () => { await call(); return true; });

    /// <summary>A runtime that is not running, an orchestration with no outcome in time, or Azurite down: 503, nothing half-done.</summary>
    private static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (StoreUnavailableException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new StoreUnavailableException("The Durable runtime did not answer: " + e.GetType().Name, e);
        }
    }
}
