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
    DateTimeOffset? RetryAt = null,
    MediaFileView? MediaFile = null,
    ReplyView? ReplyTo = null,
    string? AgentReaction = null,
    DateTimeOffset? ReadAt = null)
{
    public static MessageView From(MessageRow m) => new(
        m.OurMessageId, m.Seq, m.Direction, m.Kind, m.DisplayText, m.Body,
        m.MediaJson is { } media ? JsonDocument.Parse(media).RootElement.Clone() : null,
        m.Status, m.ErrorCode, m.ErrorText, m.ErrorDetails, m.At, m.Version, m.AgentId, m.TemplateName, m.HeaderImage, m.Wamid,
        m.ReferralJson is { } referral ? JsonDocument.Parse(referral).RootElement.Clone() : null,
        m.Forwarded,
        m.NextStep,
        m.RetryAt,
        MediaFileView.From(m),
        m.ContextWamid is null ? null : new ReplyView(m.ContextId, m.ContextWamid, m.ContextText),
        string.IsNullOrEmpty(m.AgentReaction) ? null : m.AgentReaction,
        m.ReadAt);
}

/// <summary>
/// A message's file as the agent sees it: its state (<c>pending</c>, <c>stored</c>, <c>unavailable</c>, <c>removed</c>)
/// and, once stored, where the agent API serves it (with the bearer token), its MIME type, size and file name.
/// </summary>
public sealed record MediaFileView(string State, string? Url, string? ContentType, long? Size, string? FileName, string? Error)
{
    public static MediaFileView? From(MessageRow m) => m.MediaState is null
        ? null
        : new MediaFileView(m.MediaState, m.MediaState == Core.Media.MediaStates.Stored ? UrlOf(m) : null, m.MediaContentType, m.MediaSize, m.MediaFileName, m.MediaError);

    public static string UrlOf(MessageRow m) => $"/api/agent/conversations/{Uri.EscapeDataString(m.ConversationId)}/messages/{Uri.EscapeDataString(m.OurMessageId)}/media";
}

/// <summary>The message a reply (or reaction) quotes: our id when it is in the ledger, Meta's wamid, and the start of its text.</summary>
public sealed record ReplyView(string? Id, string Wamid, string? Text);
