using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>
/// The product's <see cref="IConversationEntities"/> with one behaviour changed by a test (an update that times out, a
/// webhook signal held back): every member goes to <paramref name="inner"/> unless overridden.
/// </summary>
public abstract class DelegatingConversationEntities(IConversationEntities inner) : IConversationEntities
{
    protected IConversationEntities Inner => inner;

    public virtual Task<StartConversationOutcome> StartAsync(StartConversationInput input, CancellationToken ct) => inner.StartAsync(input, ct);

    public virtual Task<FinishConversationOutcome> FinishAsync(FinishConversationInput input, CancellationToken ct) => inner.FinishAsync(input, ct);

    public virtual Task<AssignmentOutcome> AssignAsync(AssignQueuedCustomerInput input, CancellationToken ct) => inner.AssignAsync(input, ct);

    public virtual Task<AssignmentOutcome> HandOffAsync(BotHandoffInput input, CancellationToken ct) => inner.HandOffAsync(input, ct);

    public virtual Task<AgentCapacityState> UpdateAgentAsync(UpdateAgentInput input, CancellationToken ct) => inner.UpdateAgentAsync(input, ct);

    public virtual Task<CustomerReply> ForgetCustomerAsync(ForgetCustomerInput input, CancellationToken ct) => inner.ForgetCustomerAsync(input, ct);

    public virtual Task SignalInboundAsync(string tenantId, string channelId, string customerKey, StagedInbound message, CancellationToken ct) =>
        inner.SignalInboundAsync(tenantId, channelId, customerKey, message, ct);

    public virtual Task SignalConnectionAsync(string tenantId, string agentId, AgentConnection connection, CancellationToken ct) =>
        inner.SignalConnectionAsync(tenantId, agentId, connection, ct);

    public virtual Task<CustomerConversationState> GetCustomerAsync(string tenantId, string channelId, string customerKey, CancellationToken ct) =>
        inner.GetCustomerAsync(tenantId, channelId, customerKey, ct);

    public virtual Task<AgentCapacityState> GetAgentAsync(string tenantId, string agentId, CancellationToken ct) => inner.GetAgentAsync(tenantId, agentId, ct);
}
