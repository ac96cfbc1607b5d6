using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Durable.Client;

/// <summary>
/// What both hosts' <see cref="IConversationEntities"/> share: which orchestration serves each interactive call, which
/// entity operation each signal is, and the empty state of an entity that has none. A host supplies three primitives
/// over its own client — run an orchestration to its outcome, signal an entity, read an entity's state — each throwing
/// <see cref="Smartspace.Storage.StoreUnavailableException"/> (503) when the runtime cannot answer.
/// </summary>
public abstract class OrchestratedConversationEntities : IConversationEntities
{
    public Task<StartConversationOutcome> StartAsync(StartConversationInput input, CancellationToken ct) => RunAsync<StartConversationOutcome>(StartConversationOrchestration.Name, input, ct);

    public Task<FinishConversationOutcome> FinishAsync(FinishConversationInput input, CancellationToken ct) => RunAsync<FinishConversationOutcome>(FinishConversationOrchestration.Name, input, ct);

    public Task<AssignmentOutcome> AssignAsync(AssignQueuedCustomerInput input, CancellationToken ct) => RunAsync<AssignmentOutcome>(AssignQueuedCustomerOrchestration.Name, input, ct);

    public Task<AssignmentOutcome> HandOffAsync(BotHandoffInput input, CancellationToken ct) => RunAsync<AssignmentOutcome>(BotHandoffOrchestration.Name, input, ct);

    public Task<AgentCapacityState> UpdateAgentAsync(UpdateAgentInput input, CancellationToken ct) => RunAsync<AgentCapacityState>(UpdateAgentOrchestration.Name, input, ct);

    public Task<CustomerReply> ForgetCustomerAsync(ForgetCustomerInput input, CancellationToken ct) => RunAsync<CustomerReply>(ForgetCustomerOrchestration.Name, input, ct);

    public Task SignalInboundAsync(string tenantId, string channelId, string customerKey, StagedInbound message, CancellationToken ct) =>
        SignalAsync(EntityKeys.Customer(tenantId, channelId, customerKey), nameof(CustomerConversation.InboundStaged), message, ct);

    public Task SignalConnectionAsync(string tenantId, string agentId, AgentConnection connection, CancellationToken ct) =>
        SignalAsync(EntityKeys.Agent(tenantId, agentId), nameof(AgentCapacity.Connection), connection, ct);

    public async Task<CustomerConversationState> GetCustomerAsync(string tenantId, string channelId, string customerKey, CancellationToken ct) =>
        await GetStateAsync<CustomerConversationState>(EntityKeys.Customer(tenantId, channelId, customerKey), ct) ?? CustomerConversationState.Empty;

    public async Task<AgentCapacityState> GetAgentAsync(string tenantId, string agentId, CancellationToken ct) =>
        await GetStateAsync<AgentCapacityState>(EntityKeys.Agent(tenantId, agentId), ct) ?? AgentCapacityState.Empty;

    /// <summary>Starts orchestration <paramref name="name"/> with <paramref name="input"/> and returns its output once it completes.</summary>
    protected abstract Task<T> RunAsync<T>(string name, object input, CancellationToken ct);

    /// <summary>One-way operation on an entity (durable once enqueued).</summary>
    protected abstract Task SignalAsync(Microsoft.DurableTask.Entities.EntityInstanceId entity, string operation, object input, CancellationToken ct);

    /// <summary>The entity's state as last committed, or null when it has none.</summary>
    protected abstract Task<T?> GetStateAsync<T>(Microsoft.DurableTask.Entities.EntityInstanceId entity, CancellationToken ct)
        where T : class;
}

/// <summary>
/// The interactive calls' wait for an orchestration's outcome when no notice comes: a poll from 40 ms, doubling up to
/// 250 ms apart, bounded by the caller's timeout — never the Azure Storage provider's 2-second completion polling.
/// </summary>
public static class CompletionPoll
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(40);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Polls <paramref name="poll"/> (null: not finished yet) until it answers or <paramref name="notified"/> completes
    /// first; throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (the caller's cancellation stays a
    /// cancellation).
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T?>> poll, TimeSpan timeout, CancellationToken ct, Task<T>? notified = null)
        where T : class
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        var delay = FirstPoll;
        try
        {
            while (true)
            {
                var tick = Task.Delay(delay, limit.Token);
                if (notified is not null && await Task.WhenAny(notified, tick).ConfigureAwait(false) == notified)
                {
                    return await notified.ConfigureAwait(false);
                }

                await tick.ConfigureAwait(false);
                if (await poll(limit.Token).ConfigureAwait(false) is { } outcome)
                {
                    return outcome;
                }

                delay = delay * 2 > LongestPoll ? LongestPoll : delay * 2;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"No outcome within {timeout.TotalSeconds:0.#} s.");
        }
    }
}
