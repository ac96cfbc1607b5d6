using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;

namespace Smartspace.Durable.Entities;

/// <summary>Input of <see cref="AgentCapacity.Configure"/>: the maximum of simultaneous conversations (R12) and availability.</summary>
public sealed record AgentConfiguration(int MaxConcurrent, bool Available);

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

    public AgentCapacityState Configure(AgentConfiguration configuration) =>
        State = AssignmentRules.Configure(State, configuration.MaxConcurrent, configuration.Available);

    /// <summary>R12: take a conversation when below the maximum.</summary>
    public CapacityReply Hold(string conversationId)
    {
        var outcome = AssignmentRules.Hold(State, conversationId);
        State = outcome.State;
        return new CapacityReply(State, outcome.Refusal);
    }

    /// <summary>R16: finishing frees one unit.</summary>
    public AgentCapacityState Release(string conversationId) => State = AssignmentRules.Release(State, conversationId);

    protected override AgentCapacityState InitializeState(TaskEntityOperation entityOperation) => AgentCapacityState.Empty;
}
