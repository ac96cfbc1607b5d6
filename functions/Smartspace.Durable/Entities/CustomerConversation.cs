using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;

namespace Smartspace.Durable.Entities;

/// <summary>Input of <see cref="CustomerConversation.Begin"/>: the agent's new conversation and its stage (open, or awaiting the reply to a template).</summary>
public sealed record BeginConversation(string ConversationId, string AgentId, ConversationStage Stage);

/// <summary>Input of <see cref="CustomerConversation.Assign"/>: the queued conversation and the agent taking it.</summary>
public sealed record AssignConversation(string ConversationId, string AgentId);

/// <summary>
/// Input of <see cref="CustomerConversation.Inbound"/> (a signal from the webhook): Meta's time of the message, the
/// WhatsApp profile name, the id a waiting conversation takes when none is in progress, and the contact center's bot setting.
/// </summary>
public sealed record InboundMessage(DateTimeOffset At, string? ProfileName, string NewConversationId, bool BotEnabled);

/// <summary>Answer of a customer-conversation operation: the state after it, the refusal, and a bot/queue conversation it ended (R14).</summary>
public sealed record CustomerReply(CustomerConversationState State, RefusalCode? Refusal, string? Ended);

/// <summary>
/// One customer on one channel: the conversation in progress (stage, agent), the last inbound time (P4), the last
/// conversation (R6) and the display name (R11). Operations call <see cref="AssignmentRules"/> and keep its result.
/// </summary>
public sealed class CustomerConversation : TaskEntity<CustomerConversationState>
{
    public CustomerConversationState Get() => State;

    /// <summary>R6/R7/R13/R14.</summary>
    public CustomerReply Begin(BeginConversation begin)
    {
        var outcome = AssignmentRules.Begin(State, begin.ConversationId, begin.AgentId, begin.Stage);
        State = outcome.State;
        return new CustomerReply(State, outcome.Refusal, outcome.Ended);
    }

    /// <summary>R16.</summary>
    public CustomerConversationState Finish(string conversationId) => State = AssignmentRules.Finish(State, conversationId);

    /// <summary>P4, R8 and routing: a customer message arrived.</summary>
    public CustomerConversationState Inbound(InboundMessage message)
    {
        var parts = EntityKeys.Parts(Context.Id.Key);
        return State = AssignmentRules.Inbound(State, message.At, message.ProfileName, message.NewConversationId, message.BotEnabled, parts[1], parts[2]);
    }

    /// <summary>Bot hand-off: the bot passes the customer to the queue.</summary>
    public CustomerConversationState HandOff(string conversationId) => State = AssignmentRules.HandOff(State, conversationId);

    /// <summary>A queued customer goes to an agent with room.</summary>
    public CustomerReply Assign(AssignConversation assign)
    {
        var outcome = AssignmentRules.Assign(State, assign.ConversationId, assign.AgentId);
        State = outcome.State;
        return new CustomerReply(State, outcome.Refusal, outcome.Ended);
    }

    protected override CustomerConversationState InitializeState(TaskEntityOperation entityOperation) => CustomerConversationState.Empty;
}
