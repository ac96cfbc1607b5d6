using Smartspace.Core.Conversations;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Durable.Client;

/// <summary>
/// The entities client port the features call: the orchestrations whose outcome an interactive call needs (start, finish,
/// assignment, hand-off, an agent's settings, erasure), the webhook's and the hub's one-way signals, and reads of entity state (capacity,
/// the conversation in progress, the P4 window). Locally the DTFx runtime on Azurite serves it; in Azure the Function App's
/// <c>[DurableClient]</c>. A runtime or store that cannot answer throws <see cref="Smartspace.Storage.StoreUnavailableException"/> (503).
/// </summary>
public interface IConversationEntities
{
    Task<StartConversationOutcome> StartAsync(StartConversationInput input, CancellationToken ct);

    Task<FinishConversationOutcome> FinishAsync(FinishConversationInput input, CancellationToken ct);

    Task<AssignmentOutcome> AssignAsync(AssignQueuedCustomerInput input, CancellationToken ct);

    Task<AssignmentOutcome> HandOffAsync(BotHandoffInput input, CancellationToken ct);

    Task<AgentCapacityState> UpdateAgentAsync(UpdateAgentInput input, CancellationToken ct);

    Task<CustomerReply> ForgetCustomerAsync(ForgetCustomerInput input, CancellationToken ct);

    /// <summary>The webhook's signal for a stored customer message (durable once enqueued; never waits on the entity).</summary>
    Task SignalInboundAsync(string tenantId, string channelId, string customerKey, StagedInbound message, CancellationToken ct);

    /// <summary>The hub's signal for one of the agent's real-time connections (one-way, like the webhook's).</summary>
    Task SignalConnectionAsync(string tenantId, string agentId, AgentConnection connection, CancellationToken ct);

    /// <summary>The customer's entity state as last committed (empty when it has none).</summary>
    Task<CustomerConversationState> GetCustomerAsync(string tenantId, string channelId, string customerKey, CancellationToken ct);

    /// <summary>The agent's capacity as last committed (empty when it has none).</summary>
    Task<AgentCapacityState> GetAgentAsync(string tenantId, string agentId, CancellationToken ct);
}
