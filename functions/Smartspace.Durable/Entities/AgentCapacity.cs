using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;

namespace Smartspace.Durable.Entities;

/// <summary>Input of <see cref="AgentCapacity.HoldAt"/>: the conversation the agent takes and when.</summary>
public sealed record HoldConversation(string ConversationId, DateTimeOffset At);

/// <summary>Answer of an agent-capacity operation: the state after it, and the refusal if it was refused.</summary>
public sealed record CapacityReply(AgentCapacityState State, RefusalCode? Refusal);

/// <summary>
/// One agent's capacity (R12): the maximum, the conversations held, availability. Every operation is one sentence:
/// load the state, ask <see cref="AssignmentRules"/>, keep what it returns. Changes that also touch a customer run
/// inside an orchestration that holds both locks.
/// </summary>
public sealed class AgentCapacity : TaskEntity<AgentCapacityState>
{
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

    /// <summary>R16: finishing frees one unit.</summary>
    public AgentCapacityState Release(string conversationId) => State = AssignmentRules.Release(State, conversationId);

    protected override AgentCapacityState InitializeState(TaskEntityOperation entityOperation) => AgentCapacityState.Empty;
}
