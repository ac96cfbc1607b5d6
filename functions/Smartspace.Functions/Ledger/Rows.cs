using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Storage;

namespace Smartspace.Functions.Ledger;

/// <summary>
/// An agent in the contact center's directory: who they are and their role. Their capacity — the maximum, the conversations
/// held, availability — is the agent's Durable entity (<c>AgentCapacity</c>), the one home of that state.
/// </summary>
public sealed class AgentRow
{
    public required string TenantId { get; init; }
    public required string AgentId { get; init; }
    public string Name { get; set; } = "";
    public AgentRole Role { get; set; } = AgentRole.Agent;
    public string? ETag { get; set; }

    public static AgentRow From(Entity e) => new()
    {
        TenantId = e.PartitionKey,
        AgentId = e.RowKey[Keys.AgentPrefix.Length..],
        Name = e.GetString("Name") ?? "",
        Role = Enum.TryParse<AgentRole>(e.GetString("Role"), out var role) ? role : AgentRole.Agent,
        ETag = e.ETag,
    };

    public Entity ToEntity() => new(TenantId, Keys.Agent(AgentId), new Dictionary<string, object?>
    {
        ["Name"] = Name,
        ["Role"] = Role.ToString(),
    }, ETag);
}

/// <summary>
/// A customer's profile on one channel (R11 names, P6 numbers). Their conversation in progress, last conversation and
/// 24 h window are the customer's Durable entity (<c>CustomerConversation</c>), the one home of that state.
/// </summary>
public sealed class CustomerRow
{
    public required string TenantId { get; init; }
    public required string ChannelId { get; init; }
    public required string CustomerKey { get; init; }
    /// <summary>E.164 number to send to: the exact <c>wa_id</c> WhatsApp reported, else the number an agent typed.</summary>
    public string? SendTo { get; set; }
    public string? WaId { get; set; }
    public string? UserId { get; set; }
    public string? ProfileName { get; set; }
    public string? RegisteredName { get; set; }
    public string? ETag { get; set; }

    /// <summary>R11: the name if the customer interacted before (profile or registered), otherwise the number.</summary>
    public string DisplayName => RegisteredName ?? ProfileName ?? DisplayNumber ?? CustomerKey;

    /// <summary>
    /// P6: the one number an agent sees — the canonical key (13 digits for a Brazilian mobile), never the 12-digit
    /// <c>wa_id</c> an old account reports and we send to; the address we send to only for a customer keyed by BSUID.
    /// </summary>
    public string? DisplayNumber => CustomerKey.All(char.IsAsciiDigit) ? "+" + CustomerKey : SendTo is { } n ? "+" + n.TrimStart('+') : null;

    public static CustomerRow From(Entity e)
    {
        var parts = e.RowKey.Split('|', 3);
        return new()
        {
            TenantId = e.PartitionKey,
            ChannelId = parts[1],
            CustomerKey = Keys.Unescape(parts[2]),
            SendTo = e.GetString("SendTo"),
            WaId = e.GetString("WaId"),
            UserId = e.GetString("UserId"),
            ProfileName = e.GetString("ProfileName"),
            RegisteredName = e.GetString("RegisteredName"),
            ETag = e.ETag,
        };
    }

    public Entity ToEntity() => Entity.Owning(TenantId, Keys.Customer(ChannelId, CustomerKey), new Dictionary<string, object?>(6, StringComparer.Ordinal)
    {
        ["SendTo"] = SendTo,
        ["WaId"] = WaId,
        ["UserId"] = UserId,
        ["ProfileName"] = ProfileName,
        ["RegisteredName"] = RegisteredName,
    }, ETag);
}

/// <summary>A conversation header. <see cref="Version"/> grows with every agent-visible change (R19).</summary>
public sealed class ConversationRow
{
    public required string TenantId { get; init; }
    public required string ConversationId { get; init; }
    public required string ChannelId { get; init; }
    public required string CustomerKey { get; init; }
    public string CustomerName { get; set; } = "";
    public string? CustomerNumber { get; set; }
    public string? AgentId { get; set; }
    public ConversationStage Stage { get; set; }
    /// <summary>"active" (Conversa ativa) or "inbound" (the customer wrote first).</summary>
    public string Origin { get; set; } = "inbound";
    public long Version { get; set; }
    public long MessageSeq { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public string? ClosedReason { get; set; }
    public string? QualificationId { get; set; }
    public string? QualificationName { get; set; }
    public string? Description { get; set; }
    /// <summary>Set by the expiry timer or by Meta's 131047: only templates may be sent until the customer writes.</summary>
    public bool TemplateOnly { get; set; }
    public DateTimeOffset? LastMessageAt { get; set; }
    /// <summary>Meta's timestamp of the customer's last message in this conversation (the window itself is the customer's entity's, P4).</summary>
    public DateTimeOffset? LastInboundAt { get; set; }
    /// <summary>Row key of the queue entry while <see cref="ConversationStage.Queued"/>.</summary>
    public string? QueueKey { get; set; }
    public string? ETag { get; set; }

    public ConversationState ToState() => new(ConversationId, ChannelId, CustomerKey, AgentId, Stage, Version);

    public static ConversationRow From(Entity e) => new()
    {
        TenantId = e.PartitionKey,
        ConversationId = Keys.Unescape(e.RowKey[Keys.ConversationPrefix.Length..]),
        ChannelId = e.GetString("ChannelId") ?? "",
        CustomerKey = e.GetString("CustomerKey") ?? "",
        CustomerName = e.GetString("CustomerName") ?? "",
        CustomerNumber = e.GetString("CustomerNumber"),
        AgentId = e.GetString("AgentId"),
        Stage = Enum.TryParse<ConversationStage>(e.GetString("Stage"), out var s) ? s : ConversationStage.Closed,
        Origin = e.GetString("Origin") ?? "inbound",
        Version = e.GetInt64("Version") ?? 0,
        MessageSeq = e.GetInt64("MessageSeq") ?? 0,
        CreatedAt = e.GetDateTimeOffset("CreatedAt") ?? default,
        AssignedAt = e.GetDateTimeOffset("AssignedAt"),
        ClosedAt = e.GetDateTimeOffset("ClosedAt"),
        ClosedReason = e.GetString("ClosedReason"),
        QualificationId = e.GetString("QualificationId"),
        QualificationName = e.GetString("QualificationName"),
        Description = e.GetString("Description"),
        TemplateOnly = e.GetBoolean("TemplateOnly") ?? false,
        LastMessageAt = e.GetDateTimeOffset("LastMessageAt"),
        LastInboundAt = e.GetDateTimeOffset("LastInboundAt"),
        QueueKey = e.GetString("QueueKey"),
        ETag = e.ETag,
    };

    public Entity ToEntity() => Entity.Owning(TenantId, Keys.Conversation(ConversationId), new Dictionary<string, object?>(20, StringComparer.Ordinal)
    {
        ["ChannelId"] = ChannelId,
        ["CustomerKey"] = CustomerKey,
        ["CustomerName"] = CustomerName,
        ["CustomerNumber"] = CustomerNumber,
        ["AgentId"] = AgentId,
        ["Stage"] = Stage.ToString(),
        ["Origin"] = Origin,
        ["Version"] = Version,
        ["MessageSeq"] = MessageSeq,
        ["CreatedAt"] = CreatedAt,
        ["AssignedAt"] = AssignedAt,
        ["ClosedAt"] = ClosedAt,
        ["ClosedReason"] = ClosedReason,
        ["QualificationId"] = QualificationId,
        ["QualificationName"] = QualificationName,
        ["Description"] = Description,
        ["TemplateOnly"] = TemplateOnly,
        ["LastMessageAt"] = LastMessageAt,
        ["LastInboundAt"] = LastInboundAt,
        ["QueueKey"] = QueueKey,
    }, ETag);
}

/// <summary>One message of a conversation, inbound or outbound.</summary>
public sealed class MessageRow
{
    public required string TenantId { get; init; }
    public required string ConversationId { get; init; }
    public required long Seq { get; init; }
    /// <summary>"in" (customer) or "out" (agent).</summary>
    public required string Direction { get; init; }
    public required string Kind { get; init; }
    public string DisplayText { get; set; } = "";
    public string? Body { get; set; }
    public string? MediaJson { get; set; }
    public string? Wamid { get; set; }
    public string? WaId { get; set; }
    public string Status { get; set; } = "pending";
    public int? ErrorCode { get; set; }
    public string? ErrorTitle { get; set; }
    public string? ErrorDetails { get; set; }
    public string? ErrorText { get; set; }
    /// <summary>Outbound only: what the agent can do next (<c>OutboundNotices.ToWire</c>), null while all is well.</summary>
    public string? NextStep { get; set; }
    /// <summary>Outbound only, while retrying: when the product sends it again by itself.</summary>
    public DateTimeOffset? RetryAt { get; set; }
    public DateTimeOffset At { get; set; }
    public DateTimeOffset? StatusAt { get; set; }
    public long Version { get; set; }
    public string? AgentId { get; set; }
    public string? TemplateName { get; set; }
    public string? TemplateLanguage { get; set; }
    public string? TemplateParametersJson { get; set; }
    public string? HeaderImage { get; set; }
    public string? ContextWamid { get; set; }
    /// <summary>Meta's <c>referral</c> (the ad or post the customer came from), as JSON; only when present.</summary>
    public string? ReferralJson { get; set; }
    public bool Forwarded { get; set; }
    public string? Raw { get; set; }
    /// <summary>Our id of the message <see cref="ContextWamid"/> names, when it is in the ledger (a reply or a reaction).</summary>
    public string? ContextId { get; set; }
    /// <summary>The start of the quoted message's text, as the agent saw it.</summary>
    public string? ContextText { get; set; }
    /// <summary>Media: <c>pending</c>, <c>stored</c>, <c>unavailable</c> or <c>removed</c> (<see cref="Core.Media.MediaStates"/>); null for other messages.</summary>
    public string? MediaState { get; set; }
    /// <summary>Media: why it is unavailable (gone, too_large, checksum_mismatch, retries_exhausted, expired).</summary>
    public string? MediaError { get; set; }
    /// <summary>Media: the stored file's name in the blob store.</summary>
    public string? MediaBlob { get; set; }
    /// <summary>Media: the stored file's MIME type and size.</summary>
    public string? MediaContentType { get; set; }
    public long? MediaSize { get; set; }
    /// <summary>Media: the file name the agent downloads.</summary>
    public string? MediaFileName { get; set; }
    /// <summary>Inbound: the agent's reaction to this message (empty when none).</summary>
    public string? AgentReaction { get; set; }
    /// <summary>Inbound: when it was marked read at Meta (once).</summary>
    public DateTimeOffset? ReadAt { get; set; }
    public string? ETag { get; set; }

    public string OurMessageId => Keys.OurMessageId(ConversationId, Seq);

    public static MessageRow From(Entity e)
    {
        var parts = e.RowKey.Split('|');
        return new()
        {
            TenantId = e.PartitionKey,
            ConversationId = Keys.Unescape(parts[1]),
            Seq = long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture),
            Direction = e.GetString("Direction") ?? "in",
            Kind = e.GetString("Kind") ?? "text",
            DisplayText = e.GetString("DisplayText") ?? e.GetString("Body") ?? "",
            Body = e.GetString("Body"),
            MediaJson = e.GetString("Media"),
            Wamid = e.GetString("Wamid"),
            WaId = e.GetString("WaId"),
            Status = e.GetString("Status") ?? "pending",
            ErrorCode = e.GetInt32("ErrorCode"),
            ErrorTitle = e.GetString("ErrorTitle"),
            ErrorDetails = e.GetString("ErrorDetails"),
            ErrorText = e.GetString("ErrorText"),
            NextStep = e.GetString("NextStep"),
            RetryAt = e.GetDateTimeOffset("RetryAt"),
            At = e.GetDateTimeOffset("At") ?? default,
            StatusAt = e.GetDateTimeOffset("StatusAt"),
            Version = e.GetInt64("Version") ?? 0,
            AgentId = e.GetString("AgentId"),
            TemplateName = e.GetString("TemplateName"),
            TemplateLanguage = e.GetString("TemplateLanguage"),
            TemplateParametersJson = e.GetString("TemplateParameters"),
            HeaderImage = e.GetString("HeaderImage"),
            ContextWamid = e.GetString("ContextWamid"),
            ReferralJson = e.GetString("Referral"),
            Forwarded = e.GetBoolean("Forwarded") ?? false,
            Raw = e.GetString("Raw"),
            ContextId = e.GetString("ContextId"),
            ContextText = e.GetString("ContextText"),
            MediaState = e.GetString("MediaState"),
            MediaError = e.GetString("MediaError"),
            MediaBlob = e.GetString("MediaBlob"),
            MediaContentType = e.GetString("MediaContentType"),
            MediaSize = e.GetInt64("MediaSize"),
            MediaFileName = e.GetString("MediaFileName"),
            AgentReaction = e.GetString("AgentReaction"),
            ReadAt = e.GetDateTimeOffset("ReadAt"),
            ETag = e.ETag,
        };
    }

    public Entity ToEntity() => Entity.Owning(TenantId, Keys.Message(ConversationId, Seq), new Dictionary<string, object?>(36, StringComparer.Ordinal)
    {
        ["Direction"] = Direction,
        ["Kind"] = Kind,
        // A text message's display form is its body: stored once (a smaller row, one page fewer per message).
        ["DisplayText"] = DisplayText == Body ? null : Truncate(DisplayText),
        ["Body"] = Body is null ? null : Truncate(Body),
        ["Media"] = MediaJson,
        ["Wamid"] = Wamid,
        ["WaId"] = WaId,
        ["Status"] = Status,
        ["ErrorCode"] = ErrorCode,
        ["ErrorTitle"] = ErrorTitle,
        ["ErrorDetails"] = ErrorDetails is null ? null : Truncate(ErrorDetails),
        ["ErrorText"] = ErrorText,
        ["NextStep"] = NextStep,
        ["RetryAt"] = RetryAt,
        ["At"] = At,
        ["StatusAt"] = StatusAt,
        ["Version"] = Version,
        ["AgentId"] = AgentId,
        ["TemplateName"] = TemplateName,
        ["TemplateLanguage"] = TemplateLanguage,
        ["TemplateParameters"] = TemplateParametersJson,
        ["HeaderImage"] = HeaderImage,
        ["ContextWamid"] = ContextWamid,
        ["Referral"] = ReferralJson,
        ["Forwarded"] = Forwarded ? true : null,
        ["Raw"] = Raw is { Length: <= 30_000 } ? Raw : null,
        ["ContextId"] = ContextId,
        ["ContextText"] = ContextText,
        ["MediaState"] = MediaState,
        ["MediaError"] = MediaError,
        ["MediaBlob"] = MediaBlob,
        ["MediaContentType"] = MediaContentType,
        ["MediaSize"] = MediaSize,
        ["MediaFileName"] = MediaFileName,
        ["AgentReaction"] = AgentReaction,
        ["ReadAt"] = ReadAt,
    }, ETag);

    /// <summary>Table Storage caps a string property at 32K UTF-16 chars.</summary>
    private static string Truncate(string value) => value.Length <= 30_000 ? value : value[..30_000];
}
