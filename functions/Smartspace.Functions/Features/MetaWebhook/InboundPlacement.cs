using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Core.Media;
using Smartspace.Durable.Placement;
using Smartspace.Functions.Features.Media;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.MetaWebhook;

/// <summary>The staged row: a customer message as the webhook received it, before its entity places it in a conversation.</summary>
public static class StagedMessages
{
    /// <summary>What the staged row keeps of the message, and what the webhook's signal carries (texts cut at 30,000 characters).</summary>
    public static InboundContent Content(InboundInput input) => new(
        input.WaId,
        input.UserId,
        input.Kind,
        Truncate(input.DisplayText),
        input.Body is null ? null : Truncate(input.Body),
        input.MediaJson,
        input.ContextWamid,
        // A text message is fully described by its body; other kinds keep Meta's item as received.
        input.Kind == "text" || input.Raw.Length > 30_000 ? null : input.Raw,
        input.ReferralJson,
        input.Forwarded,
        input.ProfileName);

    public static Entity ToEntity(string tenantId, InboundInput input, InboundContent content) => new(tenantId, Keys.Staged(input.Wamid), new Dictionary<string, object?>
    {
        ["ChannelId"] = input.Channel.ChannelId,
        ["CustomerKey"] = input.CustomerKey,
        ["Wamid"] = input.Wamid,
        ["WaId"] = content.WaId,
        ["UserId"] = content.UserId,
        ["ProfileName"] = content.ProfileName,
        ["At"] = input.Timestamp,
        ["Kind"] = content.Kind,
        ["DisplayText"] = content.DisplayText,
        ["Body"] = content.Body,
        ["Media"] = content.Media,
        ["ContextWamid"] = content.ContextWamid,
        ["Raw"] = content.Raw,
        ["Referral"] = content.Referral,
        ["Forwarded"] = content.Forwarded ? true : null,
    });

    /// <summary>The message a staged row keeps (the placement's read when a signal carried no content).</summary>
    public static InboundContent ContentOf(Entity staged) => new(
        staged.GetString("WaId"),
        staged.GetString("UserId"),
        staged.GetString("Kind") ?? "text",
        staged.GetString("DisplayText") ?? "",
        staged.GetString("Body"),
        staged.GetString("Media"),
        staged.GetString("ContextWamid"),
        staged.GetString("Raw"),
        staged.GetString("Referral"),
        staged.GetBoolean("Forwarded") ?? false,
        staged.GetString("ProfileName"));

    private static string Truncate(string value) => value.Length <= 30_000 ? value : value[..30_000];
}

/// <summary>
/// <see cref="IInboundPlacement"/> on Table Storage: moves a staged customer message into the conversation its entity chose,
/// in ONE batch of the contact center's partition after two reads (the profile and the conversation; the message comes in
/// the signal) — the wamid row learns its conversation and sequence, the staged row goes,
/// the message row and the conversation row (created for a new waiting conversation; R8: a reply opens one awaiting it) are
/// written with the profile (R11, P6), the window-expiry index (P4), the queue index and the media to fetch — then the
/// agent's event. Idempotent by wamid: the batch requires the staged row, so a message placed already (or erased) places
/// nothing. The conversation row is ETag-guarded against a concurrent send by the agent (then read again).
/// </summary>
public sealed class TablesInboundPlacement(
    LedgerStore ledger,
    IAgentEventPublisher events,
    IMediaFetchSignal mediaSignal,
    RoutingSignal routing,
    TimeProvider time,
    ILogger<TablesInboundPlacement> logger) : IInboundPlacement
{
    private const int MaxAttempts = 20;

    public async Task<PlacementOutcome> PlaceAsync(PlaceInboundInput placement, CancellationToken ct)
    {
        var tenantId = placement.TenantId;
        var at = placement.At;
        var content = placement.Content;
        if (content is null)
        {
            // A repair signal (a redelivery of a message still staged) carries no content: the staged row has it.
            var staged = await ledger.GetAsync(tenantId, Keys.Staged(placement.Wamid), ct);
            if (staged is null)
            {
                return await NotStagedAsync(tenantId, placement.Wamid, ct);
            }

            content = StagedMessages.ContentOf(staged);
        }

        for (var attempt = 1; ; attempt++)
        {
            // The two reads at once: the profile (R11, P6) and the conversation (its sequence and ETag).
            var profileRead = ledger.GetCustomerAsync(tenantId, placement.ChannelId, placement.CustomerKey, ct);
            var conversationRead = ledger.GetConversationAsync(tenantId, placement.ConversationId, ct);
            await Task.WhenAll(profileRead, conversationRead);
            var profile = await profileRead;
            var profileBefore = (profile?.ProfileName, profile?.WaId, profile?.SendTo, profile?.UserId);
            profile ??= new CustomerRow { TenantId = tenantId, ChannelId = placement.ChannelId, CustomerKey = placement.CustomerKey };
            profile.ProfileName = content.ProfileName ?? profile.ProfileName;
            profile.WaId = content.WaId ?? profile.WaId;
            profile.SendTo = content.WaId ?? profile.SendTo;
            profile.UserId = content.UserId ?? profile.UserId;

            var conversation = await conversationRead;
            var created = conversation is null;
            string eventType;
            var operations = new List<EntityOperation>(9);
            if (conversation is null)
            {
                conversation = new ConversationRow
                {
                    TenantId = tenantId,
                    ConversationId = placement.ConversationId,
                    ChannelId = placement.ChannelId,
                    CustomerKey = placement.CustomerKey,
                    Stage = placement.StageAfter,
                    Origin = "inbound",
                    CreatedAt = at,
                };
                eventType = AgentEventTypes.ConversationQueued;
                if (conversation.Stage == ConversationStage.Queued)
                {
                    conversation.QueueKey = Keys.Queue(at, conversation.ConversationId);
                    operations.Add(EntityOperation.Upsert(new Entity(tenantId, conversation.QueueKey, new Dictionary<string, object?> { ["ConversationId"] = conversation.ConversationId })));
                }
            }
            else if (conversation.Stage == ConversationStage.AwaitingReply)
            {
                // R8: the customer's reply opens the conversation awaiting it and unlocks the agent's input.
                conversation.Stage = ConversationStage.Open;
                eventType = AgentEventTypes.ConversationOpened;
            }
            else
            {
                eventType = AgentEventTypes.MessageReceived;
            }

            if (conversation.Stage != ConversationStage.Closed)
            {
                conversation.TemplateOnly = false;
            }

            conversation.LastInboundAt = conversation.LastInboundAt is { } last && last > at ? last : at;
            conversation.CustomerName = profile.DisplayName;
            conversation.CustomerNumber = profile.DisplayNumber ?? conversation.CustomerNumber;
            conversation.Version++;
            conversation.MessageSeq++;
            conversation.LastMessageAt = at;
            operations.Add(created ? EntityOperation.Insert(conversation.ToEntity()) : EntityOperation.Replace(conversation.ToEntity()));

            var message = await MessageAsync(tenantId, conversation, placement.Wamid, content, at, ct);
            operations.Add(EntityOperation.Insert(message.ToEntity()));
            if (message.MediaState == MediaStates.Pending && MediaIdOf(message.MediaJson) is { } mediaId)
            {
                // Issue 16: the file is fetched from Meta after the 200 (never on this path); the fetch row is its to-do.
                operations.Add(EntityOperation.Insert(InboundMediaFetcher.FetchRow(tenantId, conversation.ConversationId, message.Seq, mediaId, at, time.GetUtcNow())));
            }

            // The expiry index holds one entry per open window: a message that opens one (none open before it) adds it; the
            // sweep moves an entry whose window a later message extended.
            if ((placement.PreviousInboundAt is not { } previous || at > previous) && !ServiceWindow.IsOpen(placement.PreviousInboundAt, time.GetUtcNow()))
            {
                operations.Add(EntityOperation.Upsert(new Entity(tenantId, Keys.WindowExpiry(at + ServiceWindow.Length, placement.ChannelId, placement.CustomerKey))));
            }

            if (profile.ETag is null || profileBefore != (profile.ProfileName, profile.WaId, profile.SendTo, profile.UserId))
            {
                operations.Add(profile.ETag is null ? EntityOperation.Insert(profile.ToEntity()) : EntityOperation.Replace(profile.ToEntity()));
            }

            // Idempotent by wamid without reading either row: the batch replaces the wamid row (it now names its
            // conversation) and deletes the staged row, each required to exist — a message placed already (or erased) has
            // no staged row, so the whole batch fails and changes nothing.
            var replaceWamid = operations.Count;
            operations.Add(EntityOperation.Replace(new Entity(tenantId, Keys.Wamid(placement.Wamid), new Dictionary<string, object?>
            {
                ["Direction"] = "in",
                ["ChannelId"] = placement.ChannelId,
                ["CustomerKey"] = placement.CustomerKey,
                ["ConversationId"] = conversation.ConversationId,
                ["Seq"] = message.Seq,
            }), "*"));
            operations.Add(EntityOperation.Delete(new Entity(tenantId, Keys.Staged(placement.Wamid)), "*"));

            var result = await ledger.SubmitAsync(operations, ct);
            if (result.Succeeded)
            {
                if (message.MediaState == MediaStates.Pending)
                {
                    mediaSignal.Notify(tenantId, conversation.ConversationId, message.Seq);
                }

                await events.PublishAsync(new AgentEvent(eventType, tenantId, conversation.ConversationId, conversation.Version, conversation.AgentId, new
                {
                    conversation = ConversationView.From(conversation),
                    message = MessageView.From(message),
                }), ct);
                if (created && conversation.Stage == ConversationStage.Queued)
                {
                    routing.Request(tenantId);
                }

                return PlacementOutcome.Placed;
            }

            if (result.Failure == StoreFailure.NotFound && result.FailedIndex >= replaceWamid)
            {
                return await NotStagedAsync(tenantId, placement.Wamid, ct);
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Placing an inbound message kept conflicting ({result.Failure}).");
            }

            logger.LogDebug("Inbound placement conflicted ({Failure} at {Index}); retrying", result.Failure, result.FailedIndex);
        }
    }

    /// <summary>
    /// No staged row: placed already when the wamid row names its conversation; gone when an erasure removed the message
    /// (staged row and wamid row) before it was placed.
    /// </summary>
    private async Task<PlacementOutcome> NotStagedAsync(string tenantId, string wamid, CancellationToken ct) =>
        (await ledger.GetAsync(tenantId, Keys.Wamid(wamid), ct))?.GetString("ConversationId") is not null ? PlacementOutcome.AlreadyPlaced : PlacementOutcome.Gone;

    private async Task<MessageRow> MessageAsync(string tenantId, ConversationRow conversation, string wamid, InboundContent content, DateTimeOffset at, CancellationToken ct)
    {
        // A reply (or a reaction) names the message it quotes: found here, so the chat shows it.
        var contextWamid = content.ContextWamid;
        var quoted = contextWamid is { Length: > 0 } ? await QuotedAsync(tenantId, contextWamid, ct) : null;
        var kind = content.Kind;
        var mediaJson = content.Media;
        var message = new MessageRow
        {
            TenantId = tenantId,
            ConversationId = conversation.ConversationId,
            Seq = conversation.MessageSeq,
            Direction = "in",
            Kind = kind,
            DisplayText = content.DisplayText,
            Body = content.Body,
            MediaJson = mediaJson,
            Wamid = wamid,
            WaId = content.WaId,
            Status = "received",
            At = at,
            Version = conversation.Version,
            ContextWamid = contextWamid,
            ReferralJson = content.Referral,
            Forwarded = content.Forwarded,
            Raw = content.Raw,
            ContextId = quoted?.OurMessageId,
            ContextText = quoted is null ? null : Quote(quoted.DisplayText),
        };
        if (mediaJson is not null && MediaRules.TryParseKind(kind, out _))
        {
            var mediaId = MediaIdOf(mediaJson);
            message.MediaState = mediaId is null ? MediaStates.Unavailable : MediaStates.Pending;
            message.MediaError = mediaId is null ? "no_media_id" : null;
        }

        return message;
    }

    /// <summary>The message a wamid names in this contact center, or null (Meta may quote a message we never stored).</summary>
    private async Task<MessageRow?> QuotedAsync(string tenantId, string wamid, CancellationToken ct)
    {
        var row = await ledger.GetAsync(tenantId, Keys.Wamid(wamid), ct);
        return row?.GetString("ConversationId") is { } conversationId && row.GetInt64("Seq") is { } seq
            ? await ledger.GetMessageAsync(tenantId, conversationId, seq, ct)
            : null;
    }

    internal static string Quote(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static string? MediaIdOf(string? mediaJson)
    {
        if (mediaJson is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(mediaJson);
        return doc.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } value ? value : null;
    }
}
