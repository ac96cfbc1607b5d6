using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features;

/// <summary>A conversation as the agent's screen shows it.</summary>
public sealed record ConversationView(
    string Id,
    string ChannelId,
    string CustomerName,
    string? CustomerNumber,
    string? AgentId,
    string Stage,
    string Origin,
    long Version,
    bool TemplateOnly,
    bool AwaitingCustomerReply,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AssignedAt,
    DateTimeOffset? ClosedAt,
    DateTimeOffset? LastMessageAt,
    string? QualificationId,
    string? QualificationName,
    string? Description)
{
    public static ConversationView From(ConversationRow c) => new(
        c.ConversationId, c.ChannelId, c.CustomerName, c.CustomerNumber, c.AgentId, StageName(c.Stage), c.Origin, c.Version,
        c.TemplateOnly, c.Stage == ConversationStage.AwaitingReply, c.CreatedAt, c.AssignedAt, c.ClosedAt, c.LastMessageAt,
        c.QualificationId, c.QualificationName, c.Description);

    public static string StageName(ConversationStage stage) => stage switch
    {
        ConversationStage.Bot => "bot",
        ConversationStage.Queued => "queued",
        ConversationStage.Open => "open",
        ConversationStage.AwaitingReply => "awaiting_reply",
        _ => "closed",
    };
}

/// <summary>A message as the agent's screen shows it.</summary>
public sealed record MessageView(
    string Id,
    long Seq,
    string Direction,
    string Kind,
    string Text,
    string? Body,
    JsonElement? Media,
    string Status,
    int? ErrorCode,
    string? ErrorText,
    string? ErrorDetails,
    DateTimeOffset At,
    long Version,
    string? AgentId,
    string? TemplateName,
    string? HeaderImage,
    string? Wamid,
    JsonElement? Referral = null,
    bool Forwarded = false,
    string? NextStep = null,
    DateTimeOffset? RetryAt = null)
{
    public static MessageView From(MessageRow m) => new(
        m.OurMessageId, m.Seq, m.Direction, m.Kind, m.DisplayText, m.Body,
        m.MediaJson is { } media ? JsonDocument.Parse(media).RootElement.Clone() : null,
        m.Status, m.ErrorCode, m.ErrorText, m.ErrorDetails, m.At, m.Version, m.AgentId, m.TemplateName, m.HeaderImage, m.Wamid,
        m.ReferralJson is { } referral ? JsonDocument.Parse(referral).RootElement.Clone() : null,
        m.Forwarded,
        m.NextStep,
        m.RetryAt);
}
