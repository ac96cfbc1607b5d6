namespace Smartspace.Core.Conversations;

/// <summary>What a start request (R6, R7, R12–R14) leads to.</summary>
public abstract record StartDecision
{
    private StartDecision() { }

    public sealed record Refused(RefusalCode Code) : StartDecision;

    /// <summary>The same agent already holds the customer's conversation: return it (R13).</summary>
    public sealed record ReturnExisting(ConversationState Conversation) : StartDecision;

    /// <summary>Create the conversation; <paramref name="Supersedes"/> is a bot/queue conversation to end in the same change (R14).</summary>
    public sealed record Create(ConversationStage Stage, bool SendTemplate, ConversationState? Supersedes) : StartDecision;
}

/// <summary>What a free-text send leads to.</summary>
public abstract record SendDecision
{
    private SendDecision() { }
    public sealed record Refused(RefusalCode Code) : SendDecision;
    public sealed record Accept : SendDecision;
}

/// <summary>What an inbound customer message does to the customer's current conversation.</summary>
public abstract record InboundDecision
{
    private InboundDecision() { }

    /// <summary>Attach to the current conversation; <paramref name="NewStage"/> differs when an awaited reply arrived (R8).</summary>
    public sealed record Attach(ConversationStage NewStage) : InboundDecision;

    /// <summary>No conversation in progress: open a new one in the bot stage or the queue.</summary>
    public sealed record CreateWaiting(ConversationStage Stage) : InboundDecision;
}

/// <summary>
/// The rules of Conversa ativa as pure functions of state: no I/O, no clock (callers pass <c>now</c> or
/// precomputed window facts). The feature handlers load state, call these, and commit the outcome
/// conditionally so that R15 holds across instances.
/// </summary>
public static class ConversationRules
{
    /// <summary>
    /// R6/R7/R12/R13/R14. Order follows the seed: the same agent gets their conversation back; then the
    /// agent's capacity (R12); then another agent's conversation (R13); then the window decides whether a
    /// template is required (R7). A bot or queue conversation is superseded (R14).
    /// </summary>
    public static StartDecision DecideStart(AgentState agent, ConversationState? current, bool windowOpen, bool templateProvided)
    {
        if (current is { } held && held.Stage.IsHeldByAgent())
        {
            if (held.AgentId == agent.Id)
            {
                return new StartDecision.ReturnExisting(held);
            }

            if (!agent.HasCapacity)
            {
                return new StartDecision.Refused(RefusalCode.AgentAtCapacity);
            }

            return new StartDecision.Refused(RefusalCode.CustomerInService);
        }

        if (!agent.HasCapacity)
        {
            return new StartDecision.Refused(RefusalCode.AgentAtCapacity);
        }

        if (!windowOpen && !templateProvided)
        {
            return new StartDecision.Refused(RefusalCode.TemplateRequired);
        }

        var supersedes = current is { Stage: ConversationStage.Bot or ConversationStage.Queued } waiting ? waiting : null;
        var stage = windowOpen ? ConversationStage.Open : ConversationStage.AwaitingReply;
        return new StartDecision.Create(stage, templateProvided, supersedes);
    }

    /// <summary>Free text only by the holder, not while awaiting the reply to a template (R8), and only inside the window (P4).</summary>
    public static SendDecision DecideSendText(ConversationState conversation, string agentId, bool windowOpen)
    {
        if (conversation.Stage == ConversationStage.Closed)
        {
            return new SendDecision.Refused(RefusalCode.ConversationClosed);
        }

        if (conversation.AgentId != agentId || !conversation.Stage.IsHeldByAgent())
        {
            return new SendDecision.Refused(RefusalCode.NotConversationOwner);
        }

        if (conversation.Stage == ConversationStage.AwaitingReply)
        {
            return new SendDecision.Refused(RefusalCode.AwaitingCustomerReply);
        }

        return windowOpen ? new SendDecision.Accept() : new SendDecision.Refused(RefusalCode.WindowClosed);
    }

    /// <summary>R9: another template may be sent by the holder at any time the conversation is held; it moves the conversation to awaiting the reply when the window is closed.</summary>
    public static SendDecision DecideSendTemplate(ConversationState conversation, string agentId)
    {
        if (conversation.Stage == ConversationStage.Closed)
        {
            return new SendDecision.Refused(RefusalCode.ConversationClosed);
        }

        return conversation.AgentId == agentId && conversation.Stage.IsHeldByAgent()
            ? new SendDecision.Accept()
            : new SendDecision.Refused(RefusalCode.NotConversationOwner);
    }

    /// <summary>The stage after an agent's template was accepted: outside the window the agent waits for the reply (R8).</summary>
    public static ConversationStage StageAfterTemplate(ConversationState conversation, bool windowOpen) =>
        windowOpen ? conversation.Stage : ConversationStage.AwaitingReply;

    /// <summary>R8/R14 and routing: a customer message joins the conversation in progress (a reply lifts the wait), or starts a waiting one.</summary>
    public static InboundDecision DecideInbound(ConversationState? current, bool botEnabled)
    {
        if (current is { } conversation && conversation.Stage.IsActive())
        {
            return new InboundDecision.Attach(conversation.Stage == ConversationStage.AwaitingReply ? ConversationStage.Open : conversation.Stage);
        }

        return new InboundDecision.CreateWaiting(botEnabled ? ConversationStage.Bot : ConversationStage.Queued);
    }

    /// <summary>R16: the holder (or a supervisor of the contact center) finishes; finishing twice is not an error.</summary>
    public static RefusalCode? DecideFinish(ConversationState conversation, string agentId, AgentRole role)
    {
        if (conversation.Stage == ConversationStage.Closed)
        {
            return null;
        }

        if (role == AgentRole.Supervisor)
        {
            return null;
        }

        return conversation.AgentId == agentId ? null : RefusalCode.NotConversationOwner;
    }
}
