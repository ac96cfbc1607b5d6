using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Placement;

namespace Smartspace.Durable.Entities;

/// <summary>Input of <see cref="CustomerConversation.Begin"/>: the agent's new conversation and its stage (open, or awaiting the reply to a template).</summary>
public sealed record BeginConversation(string ConversationId, string AgentId, ConversationStage Stage);

/// <summary>Input of <see cref="CustomerConversation.Assign"/>: the queued conversation and the agent taking it.</summary>
public sealed record AssignConversation(string ConversationId, string AgentId);

/// <summary>
/// Input of <see cref="CustomerConversation.InboundStaged"/> (a signal from the webhook once the message is stored, staged
/// by customer and wamid): the wamid, Meta's time of the message, the WhatsApp profile name, the id a waiting conversation
/// takes when none is in progress, the contact center's bot setting, and the message itself (null on a redelivery's repair
/// signal: the placement then reads the staged row).
/// </summary>
public sealed record StagedInbound(string Wamid, DateTimeOffset At, string? ProfileName, string NewConversationId, bool BotEnabled, InboundContent? Content = null);

/// <summary>Input of <see cref="CustomerConversation.InboundGone"/>: the erased message, the entity's version it gave, and the state before it.</summary>
public sealed record InboundGone(string Wamid, long Version, CustomerConversationState Before);

/// <summary>Answer of a customer-conversation operation: the state after it, the refusal, and a bot/queue conversation it ended (R14).</summary>
public sealed record CustomerReply(CustomerConversationState State, RefusalCode? Refusal, string? Ended);

/// <summary>
/// One customer on one channel: the conversation in progress (stage, agent), the last inbound time (P4), the last
/// conversation (R6) and the display name (R11). Operations call <see cref="AssignmentRules"/> and keep its result; the
/// placement port (<see cref="IInboundPlacement"/>) comes from the host's services.
/// </summary>
public sealed class CustomerConversation(IInboundPlacement? placement = null) : TaskEntity<CustomerConversationState>
{
    /// <summary>How long the entity itself tries to place a message before handing it to the placement orchestration.</summary>
    public static readonly TimeSpan InlinePlacementBudget = TimeSpan.FromSeconds(3);

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

    /// <summary>
    /// P4, R8 and routing for a stored message: <see cref="AssignmentRules.InboundOnce"/> decides the state and the
    /// conversation the message belongs to, then this operation places it there through <see cref="IInboundPlacement"/>
    /// (the message row, the conversation row, the agent's event) — one queue hop from the webhook's signal to the agent's
    /// screen, and one customer's messages placed in order. Entity operations may call external services; the placement is
    /// idempotent by wamid, so a batch the runtime runs again places nothing twice. When the placement fails (the store is
    /// briefly down) or no port is given, <see cref="PlaceInboundOrchestration"/> is scheduled to place it with retries: an
    /// action of this operation, committed with the state. A repeated signal for a wamid still remembered changes no state
    /// and only tries the (idempotent) placement again — the repair path when a host died between staging and placing.
    /// </summary>
    public async Task<InboundPlaced> InboundStaged(StagedInbound message)
    {
        var parts = EntityKeys.Parts(Context.Id.Key);
        var previous = State;
        var before = State.LastInboundAt;
        var outcome = AssignmentRules.InboundOnce(State, message.Wamid, message.At, message.ProfileName, message.NewConversationId, message.BotEnabled, parts[1], parts[2]);
        State = outcome.State;
        var placed = outcome.Placed;
        var input = new PlaceInboundInput(parts[0], parts[1], parts[2], placed.Wamid, placed.ConversationId, placed.StageBefore, placed.StageAfter, outcome.Kind, placed.Version, message.At, outcome.Repeated ? null : before, message.Content);
        if (placement is not null)
        {
            try
            {
                // Bounded: a store that does not answer must not hold this customer's entity (and the control-queue messages
                // of its batch) for the store client's whole retry budget; the orchestration below takes over.
                using var budget = new CancellationTokenSource(InlinePlacementBudget);
                if (await placement.PlaceAsync(input, budget.Token) == PlacementOutcome.Gone && !outcome.Repeated)
                {
                    // LGPD: the customer was erased while this message waited to be placed; it went with them, and it
                    // begins nothing (no conversation without rows, no name kept) — the same rule as the orchestration's.
                    State = AssignmentRules.InboundGone(State, placed.Wamid, placed.Version, previous);
                }

                return placed;
            }
            catch (Exception)
            {
                // Placed later, with retries, by the orchestration below (committed with this operation's state).
            }
        }
        else if (outcome.Repeated)
        {
            return placed;
        }

        Context.ScheduleNewOrchestration(PlaceInboundOrchestration.Name, outcome.Repeated ? input : input with { Before = previous },
            new StartOrchestrationOptions(EntityKeys.Placement(parts[0], parts[1], placed.Wamid)));
        return placed;
    }

    /// <summary>
    /// LGPD: the placement orchestration found the message erased before it could place it (the inline placement had failed);
    /// the state goes back to the one before it unless something has built on it since (<see cref="AssignmentRules.InboundGone"/>).
    /// </summary>
    public CustomerConversationState InboundGone(InboundGone gone) => State = AssignmentRules.InboundGone(State, gone.Wamid, gone.Version, gone.Before);

    /// <summary>LGPD erasure: forget the customer unless an agent holds a conversation with them (<see cref="AssignmentRules.Forget"/>).</summary>
    public CustomerReply Forget()
    {
        var outcome = AssignmentRules.Forget(State);
        State = outcome.State;
        return new CustomerReply(State, outcome.Refusal, outcome.Ended);
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
