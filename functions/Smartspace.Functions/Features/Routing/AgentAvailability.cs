using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// An agent's availability for queue routing, kept by the agent's entity: set by an explicit status call (an orchestration:
/// the answer carries the state after it) or by the real-time connection — <c>connected</c>/<c>disconnected</c> signal the
/// entity and return at once (available while at least one connection is open: closing one of two tabs, or an old
/// connection's late event after a reconnect, changes nothing); the entity announces a change and asks for routing itself
/// (<see cref="AgentAvailabilityEffects"/>).
/// </summary>
public sealed class AgentAvailability(LedgerStore ledger, IConversationEntities entities, QueueRouter router, IAgentEventPublisher events)
{
    public async Task<IResult> SetAsync(string tenantId, string agentId, bool available, CancellationToken ct)
    {
        if (await ledger.GetAgentAsync(tenantId, agentId, ct) is null)
        {
            return ApiProblems.Refusal(RefusalCode.AgentNotFound);
        }

        var before = await entities.GetAgentAsync(tenantId, agentId, ct);
        var after = await entities.UpdateAgentAsync(new UpdateAgentInput(tenantId, agentId, new AgentUpdate(Available: available)), ct);
        if (after.Available != before.Available || after.MaxConcurrent != before.MaxConcurrent)
        {
            await AgentAvailabilityEffects.PublishAsync(events, tenantId, agentId, after, ct);
        }

        if (after.Available)
        {
            await router.AssignWaitingAsync(tenantId, ct);
        }

        return Results.Ok(new { agentId, available = after.Available });
    }

    /// <summary>One of the agent's connections opened or closed (the hub's event handler): a signal to the agent's entity.</summary>
    public async Task<bool> ConnectionChangedAsync(string tenantId, string agentId, string connectionId, bool connected, CancellationToken ct)
    {
        if (await ledger.GetAgentAsync(tenantId, agentId, ct) is null)
        {
            return false;
        }

        await entities.SignalConnectionAsync(tenantId, agentId, new AgentConnection(connectionId, connected), ct);
        return true;
    }
}

/// <summary>
/// <see cref="IAgentAvailabilityEffects"/>: when a connection changes an agent's availability, the agent's screens and the
/// supervisors get the capacity event, and queue routing runs in the background when the agent became available.
/// </summary>
public sealed class AgentAvailabilityEffects(IAgentEventPublisher events, RoutingSignal routing) : IAgentAvailabilityEffects
{
    public async Task AvailabilityChangedAsync(string tenantId, string agentId, AgentCapacityState state, CancellationToken ct)
    {
        if (state.Available)
        {
            routing.Request(tenantId);
        }

        await PublishAsync(events, tenantId, agentId, state, ct);
    }

    internal static Task PublishAsync(IAgentEventPublisher events, string tenantId, string agentId, AgentCapacityState state, CancellationToken ct) =>
        events.PublishAsync(new AgentEvent(AgentEventTypes.CapacityChanged, tenantId, null, state.Version, agentId,
            new { open = state.Held.Count, max = state.MaxConcurrent, available = state.Available }), ct);
}
