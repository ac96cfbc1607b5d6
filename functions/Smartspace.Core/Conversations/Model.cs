namespace Smartspace.Core.Conversations;

/// <summary>Where a conversation is in its life. Held by an agent = <see cref="Open"/> or <see cref="AwaitingReply"/>.</summary>
public enum ConversationStage
{
    /// <summary>The customer talks to the contact center's external bot.</summary>
    Bot,
    /// <summary>Waiting in the queue for an available agent.</summary>
    Queued,
    /// <summary>An agent holds it and may type (inside the 24 h window).</summary>
    Open,
    /// <summary>An agent sent a template outside the window; free text is refused until the customer replies (R8).</summary>
    AwaitingReply,
    /// <summary>Finished (R16), or ended because an active conversation took priority (R14).</summary>
    Closed,
}

public static class ConversationStageExtensions
{
    /// <summary>Counts against the agent's capacity and blocks other agents (R12, R13).</summary>
    public static bool IsHeldByAgent(this ConversationStage stage) => stage is ConversationStage.Open or ConversationStage.AwaitingReply;

    public static bool IsActive(this ConversationStage stage) => stage != ConversationStage.Closed;
}

public enum AgentRole { Agent, Supervisor, Bot }

/// <summary>The facts about an agent that the rules need.</summary>
public sealed record AgentState(string Id, AgentRole Role, int MaxConcurrent, IReadOnlyList<string> OpenConversationIds, bool Available, DateTimeOffset? LastAssignedAt)
{
    public int Load => OpenConversationIds.Count;
    public bool HasCapacity => Load < MaxConcurrent;
}

/// <summary>The facts about a conversation that the rules need.</summary>
public sealed record ConversationState(string Id, string ChannelId, string CustomerKey, string? AgentId, ConversationStage Stage, long Version);

/// <summary>The customer's service window on one channel (P4): open while the last customer message is less than 24 h old.</summary>
public static class ServiceWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromHours(24);

    /// <summary>Open when a customer message exists and <paramref name="now"/> is strictly before last + 24 h (R6/R7: "≥ 24 h ago" is closed).</summary>
    public static bool IsOpen(DateTimeOffset? lastInboundAt, DateTimeOffset now) =>
        lastInboundAt is { } last && now < last + Length;

    public static DateTimeOffset? ClosesAt(DateTimeOffset? lastInboundAt) => lastInboundAt + Length;
}

/// <summary>Stable English codes of business refusals; the pt-BR text comes from <c>Text.PtBr</c>.</summary>
public enum RefusalCode
{
    AgentAtCapacity,
    CustomerInService,
    TemplateRequired,
    WindowClosed,
    AwaitingCustomerReply,
    NotConversationOwner,
    ConversationClosed,
    QualificationUnknown,
    TemplateNotApproved,
    TemplateParametersInvalid,
    InvalidNumber,
    ChannelNotFound,
    ConversationNotFound,
    AgentNotFound,
    Forbidden,
    CustomerNotFound,
    ErasureWhileInService,
    MessageNotFound,
    MediaUnavailable,
    AttachmentUnsupportedType,
    AttachmentTooLarge,
    AttachmentInvalid,
}

public static class RefusalCodes
{
    public static string ToCode(this RefusalCode code) => code switch
    {
        RefusalCode.AgentAtCapacity => "agent_at_capacity",
        RefusalCode.CustomerInService => "customer_in_service",
        RefusalCode.TemplateRequired => "template_required",
        RefusalCode.WindowClosed => "window_closed",
        RefusalCode.AwaitingCustomerReply => "awaiting_customer_reply",
        RefusalCode.NotConversationOwner => "not_conversation_owner",
        RefusalCode.ConversationClosed => "conversation_closed",
        RefusalCode.QualificationUnknown => "qualification_unknown",
        RefusalCode.TemplateNotApproved => "template_not_approved",
        RefusalCode.TemplateParametersInvalid => "template_parameters_invalid",
        RefusalCode.InvalidNumber => "invalid_number",
        RefusalCode.ChannelNotFound => "channel_not_found",
        RefusalCode.ConversationNotFound => "conversation_not_found",
        RefusalCode.AgentNotFound => "agent_not_found",
        RefusalCode.Forbidden => "forbidden",
        RefusalCode.CustomerNotFound => "customer_not_found",
        RefusalCode.ErasureWhileInService => "erasure_while_in_service",
        RefusalCode.MessageNotFound => "message_not_found",
        RefusalCode.MediaUnavailable => "media_unavailable",
        RefusalCode.AttachmentUnsupportedType => "attachment_unsupported_type",
        RefusalCode.AttachmentTooLarge => "attachment_too_large",
        RefusalCode.AttachmentInvalid => "attachment_invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}
