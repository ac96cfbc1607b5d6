using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;

namespace Smartspace.Durable.Entities;

/// <summary>Input of <see cref="AgentCapacity.HoldAt"/>: the conversation the agent takes and when.</summary>
public sealed record HoldConversation(string ConversationId, DateTimeOffset At);

/// <summary>Input of <see cref="AgentCapacity.Connection"/>: one of the agent's real-time connections opened or closed.</summary>
public sealed record AgentConnection(string ConnectionId, bool Connected);

/// <summary>
/// What follows when an agent's availability changes on its own entity (a real-time connection, signalled): the agent's
/// screens learn the new capacity, and queue routing runs when the agent became available. Best effort and idempotent: the
/// state is the entity's either way, and the window sweep routes each contact center again.
/// </summary>
public interface IAgentAvailabilityEffects
{
    Task AvailabilityChangedAsync(string tenantId, string agentId, AgentCapacityState state, CancellationToken ct);
}

/// <summary>Answer of an agent-capacity operation: the state after it, and the refusal if it was refused.</summary>
public sealed record CapacityReply(AgentCapacityState State, RefusalCode? Refusal);

/// <summary>
/// One agent's capacity (R12): the maximum, the conversations held, availability. Every operation is one sentence:
/// load the state, ask <see cref="AssignmentRules"/>, keep what it returns. Changes that also touch a customer run
/// inside an orchestration that holds both locks.
/// </summary>
public sealed class AgentCapacity(IAgentAvailabilityEffects? effects = null) : TaskEntity<AgentCapacityState>
{
    /// <summary>How long the entity waits for <see cref="IAgentAvailabilityEffects"/> before going on with its batch.</summary>
    public static readonly TimeSpan EffectsBudget = TimeSpan.FromSeconds(2);

    public AgentCapacityState Get() => State;

    /// <summary>R12: take a conversation when below the maximum.</summary>
    public CapacityReply Hold(string conversationId)
    {
        var outcome = AssignmentRules.Hold(State, conversationId);
        State = outcome.State;
        return new CapacityReply(State, outcome.Refusal);
    }

    /// <summary>R12 at a time: the assignment time orders queue routing (the agent idle longest first).</summary>
    public CapacityReply HoldAt(HoldConversation hold)
    {
        var outcome = AssignmentRules.HoldAt(State, hold.ConversationId, hold.At);
        State = outcome.State;
        return new CapacityReply(State, outcome.Refusal);
    }

    /// <summary>Maximum, availability or a real-time connection (<see cref="AssignmentRules.Update"/>).</summary>
    public AgentCapacityState Update(AgentUpdate update) => State = AssignmentRules.Update(State, update);

    /// <summary>
    /// R18: a real-time connection opened or closed — a signal from the hub's event handler, never an orchestration, so a
    /// thousand tabs opening at once are a thousand queue messages the entity takes in batches, not a thousand
    /// orchestrations in line for its lock (<see cref="AssignmentRules.Update"/>: available while any connection is open; a
    /// late or repeated event changes nothing). Only when availability changes does anything else happen
    /// (<see cref="IAgentAvailabilityEffects"/>: the capacity event, queue routing).
    /// </summary>
    public async Task<AgentCapacityState> Connection(AgentConnection connection)
    {
        var before = State;
        State = AssignmentRules.Update(State, new AgentUpdate(ConnectionId: connection.ConnectionId, Connected: connection.Connected));
        if (effects is not null && State.Available != before.Available)
        {
            var parts = EntityKeys.Parts(Context.Id.Key);
            try
            {
                using var budget = new CancellationTokenSource(EffectsBudget);
                await effects.AvailabilityChangedAsync(parts[0], parts[1], State, budget.Token);
            }
            catch (Exception)
            {
                // Best effort: the availability is committed with this operation; the next sweep routes the contact center.
            }
        }

        return State;
    }

    /// <summary>R16: finishing frees one unit.</summary>
    public AgentCapacityState Release(string conversationId) => State = AssignmentRules.Release(State, conversationId);

    protected override AgentCapacityState InitializeState(TaskEntityOperation entityOperation) => AgentCapacityState.Empty;
}
