using Smartspace.Core.Conversations;

namespace Smartspace.Durable.Orchestrations;

/// <summary>
/// Input of <see cref="StartConversationOrchestration"/>: who starts with whom, the id the new conversation takes, whether
/// a template comes with it (R7), <paramref name="At"/>, the caller's clock at the request (the window is judged at it),
/// and <paramref name="Effects"/>, what the feature needs to write the rows once the start is decided (opaque here: the
/// customer's number, the template message), handed to <see cref="Effects.IConversationEffects.StartedAsync"/>.
/// </summary>
public sealed record StartConversationInput(string TenantId, string AgentId, string ChannelId, string CustomerKey, string ConversationId, bool TemplateProvided, DateTimeOffset At, string? Effects = null);

/// <summary>What a start led to.</summary>
public enum StartKind { Created, Existing, Refused }

/// <summary>
/// Output of <see cref="StartConversationOrchestration"/>: created (with the bot/queue conversation it ended, R14), the
/// agent's existing conversation (R13), or a refusal (R7, R12, R13); with the customer and agent as they are after it.
/// </summary>
public sealed record StartConversationOutcome(
    StartKind Kind,
    RefusalCode? Refusal,
    string? ConversationId,
    ConversationStage? Stage,
    bool WindowOpen,
    string? Ended,
    CustomerConversationState Customer,
    AgentCapacityState Agent);

/// <summary>
/// Input of <see cref="FinishConversationOrchestration"/> (R16): the conversation and the agent holding it (null: none, a
/// bot or queue conversation a supervisor ends), when, and the feature's opaque <paramref name="Effects"/> (qualification, description).
/// </summary>
public sealed record FinishConversationInput(string TenantId, string? AgentId, string ChannelId, string CustomerKey, string ConversationId, DateTimeOffset? At = null, string? Effects = null);

/// <summary>Output of <see cref="FinishConversationOrchestration"/>: whether this call ended it, and both entities after it.</summary>
public sealed record FinishConversationOutcome(bool Finished, CustomerConversationState Customer, AgentCapacityState Agent);

/// <summary>Input of <see cref="AssignQueuedCustomerOrchestration"/>: a queued conversation and the agent offered it.</summary>
public sealed record AssignQueuedCustomerInput(string TenantId, string AgentId, string ChannelId, string CustomerKey, string ConversationId, DateTimeOffset? At = null);

/// <summary>Input of <see cref="BotHandoffOrchestration"/>: the bot's conversation, and the agent it goes to (null: to the queue).</summary>
public sealed record BotHandoffInput(string TenantId, string ChannelId, string CustomerKey, string ConversationId, string? AgentId, DateTimeOffset? At = null);

/// <summary>Input of <see cref="UpdateAgentOrchestration"/>: an agent's maximum, availability or connection change.</summary>
public sealed record UpdateAgentInput(string TenantId, string AgentId, AgentUpdate Update);

/// <summary>Input of <see cref="ForgetCustomerOrchestration"/> (LGPD erasure).</summary>
public sealed record ForgetCustomerInput(string TenantId, string ChannelId, string CustomerKey);

/// <summary>Output of an assignment (queue or bot hand-off): assigned, or why not; with both entities after it.</summary>
public sealed record AssignmentOutcome(bool Assigned, RefusalCode? Refusal, CustomerConversationState Customer, AgentCapacityState? Agent);
