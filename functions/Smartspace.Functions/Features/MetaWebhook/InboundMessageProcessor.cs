using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Core.Media;
using Smartspace.Functions.Features.Media;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.MetaWebhook;

/// <summary>One customer message, already verified, parsed and routed to its channel.</summary>
public sealed record InboundInput(
    ChannelInfo Channel,
    string CustomerKey,
    string Wamid,
    string? WaId,
    string? UserId,
    string? ProfileName,
    DateTimeOffset Timestamp,
    string Kind,
    string DisplayText,
    string? Body,
    string? MediaJson,
    string? ContextWamid,
    string Raw,
    string? ReferralJson = null,
    bool Forwarded = false);

public enum InboundOutcome { Stored, Duplicate }

/// <summary>
/// Stores a customer message once (P3) and applies it to the customer's conversation (R8, routing) in ONE
/// atomic batch of the contact center's partition: the wamid row is inserted in the same batch as the
/// message, so concurrent deliveries of the same webhook race on that insert and exactly one wins. The
/// follow-up steps after the commit (routing, live events) are idempotent and run again on a duplicate
/// delivery, so a crash between commit and follow-up is repaired by Meta's retry.
/// </summary>
public sealed class InboundMessageProcessor(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    IKeyedGate gate,
    QueueRouter router,
    IAgentEventPublisher events,
    HotRows hotRows,
    IMediaFetchSignal mediaSignal,
    TimeProvider time,
    ILogger<InboundMessageProcessor> logger)
{
    private const int MaxAttempts = 10;

    public async Task<InboundOutcome> ProcessAsync(InboundInput input, CancellationToken ct)
    {
        var tenantId = input.Channel.TenantId;
        var tenant = await directory.GetTenantAsync(tenantId, ct);
        var customerKey = Keys.Customer(input.Channel.ChannelId, input.CustomerKey);
        // A reply (or a reaction) names the message it quotes: found once here, so the chat shows it (one read, replies only).
        var quoted = input.ContextWamid is { Length: > 0 } contextWamid ? await QuotedAsync(tenantId, contextWamid, ct) : null;
        var mediaId = MediaIdOf(input);
        using var _ = await gate.AcquireAsync($"{tenantId}|{customerKey}", ct);

        for (var attempt = 1; ; attempt++)
        {
            // The customer's rows as this process last wrote them (no store read in the common case); a stale copy
            // fails its ETag check below and is read again. The wamid is not read first: its insert is the batch's
            // first operation, so a duplicate fails there (P3) and nothing else is written.
            var customer = (attempt == 1 ? hotRows.Get<CustomerRow>(tenantId, customerKey) : null)
                ?? await ledger.GetCustomerAsync(tenantId, input.Channel.ChannelId, input.CustomerKey, ct)
                ?? new CustomerRow { TenantId = tenantId, ChannelId = input.Channel.ChannelId, CustomerKey = input.CustomerKey };
            ConversationRow? current = null;
            if (customer.CurrentConversationId is { } currentId)
            {
                current = (attempt == 1 ? hotRows.Get<ConversationRow>(tenantId, Keys.Conversation(currentId)) : null)
                    ?? await ledger.GetConversationAsync(tenantId, currentId, ct);
            }

            var customerBefore = (customer.ProfileName, customer.WaId, customer.SendTo, customer.UserId, customer.CurrentConversationId, customer.LastConversationId);
            var lastInbound = customer.LastInboundWith(current);
            var operations = new List<EntityOperation>(7);
            var decision = ConversationRules.DecideInbound(current?.ToState(), tenant?.BotEnabled ?? false);
            ConversationRow conversation;
            string eventType;
            if (decision is InboundDecision.Attach attach && current is not null)
            {
                conversation = current;
                eventType = conversation.Stage != attach.NewStage ? AgentEventTypes.ConversationOpened : AgentEventTypes.MessageReceived;
                conversation.Stage = attach.NewStage;
                conversation.TemplateOnly = false;
            }
            else
            {
                var stage = ((InboundDecision.CreateWaiting)decision).Stage;
                conversation = new ConversationRow
                {
                    TenantId = tenantId,
                    ConversationId = ConversationIds.New(input.Timestamp),
                    ChannelId = input.Channel.ChannelId,
                    CustomerKey = input.CustomerKey,
                    Stage = stage,
                    Origin = "inbound",
                    CreatedAt = input.Timestamp,
                };
                eventType = AgentEventTypes.ConversationQueued;
                if (current is not null)
                {
                    customer.LastConversationId = current.ConversationId;
                    customer.Fold(current); // it stops being the current conversation
                }

                customer.CurrentConversationId = conversation.ConversationId;
                if (stage == ConversationStage.Queued)
                {
                    conversation.QueueKey = Keys.Queue(input.Timestamp, conversation.ConversationId);
                    operations.Add(EntityOperation.Insert(new Entity(tenantId, conversation.QueueKey, new Dictionary<string, object?>
                    {
                        ["ConversationId"] = conversation.ConversationId,
                    })));
                }
            }

            // Profile (R11), exact wa_id for sending (P6), and the window (P4) from Meta's own timestamp.
            customer.ProfileName = input.ProfileName ?? customer.ProfileName;
            customer.WaId = input.WaId ?? customer.WaId;
            customer.SendTo = input.WaId ?? customer.SendTo;
            customer.UserId = input.UserId ?? customer.UserId;
            conversation.LastInboundAt = CustomerRow.Latest(conversation.LastInboundAt, input.Timestamp);
            // The expiry index holds one entry per open window, not one per message: a message that opens a window
            // (none open now) adds it; a later message only moves the window, and the sweep moves the entry when it
            // finds the window still open at the old time.
            if ((lastInbound is null || input.Timestamp > lastInbound) && !ServiceWindow.IsOpen(lastInbound, time.GetUtcNow()))
            {
                operations.Add(EntityOperation.Upsert(new Entity(tenantId, Keys.WindowExpiry(input.Timestamp + ServiceWindow.Length, input.Channel.ChannelId, input.CustomerKey))));
            }

            // A further message of the conversation in progress changes only the conversation's LastInboundAt: the
            // customer row is written when it is new or something of its own changed (profile, number, conversation).
            // Still safe against a concurrent change of the customer's conversation: every such change also changes
            // the current conversation row, whose ETag guards this batch.
            var writeCustomer = customer.ETag is null
                || customerBefore != (customer.ProfileName, customer.WaId, customer.SendTo, customer.UserId, customer.CurrentConversationId, customer.LastConversationId);
            if (writeCustomer)
            {
                customer.Fold(conversation);
            }

            conversation.CustomerName = customer.DisplayName;
            conversation.CustomerNumber = customer.DisplayNumber ?? conversation.CustomerNumber;
            conversation.Version++;
            conversation.MessageSeq++;
            conversation.LastMessageAt = input.Timestamp;
            var conversationEntity = conversation.ToEntity();
            var conversationOp = conversation.ETag is null ? EntityOperation.Insert(conversationEntity) : EntityOperation.Replace(conversationEntity);
            operations.Add(conversationOp);

            var message = new MessageRow
            {
                TenantId = tenantId,
                ConversationId = conversation.ConversationId,
                Seq = conversation.MessageSeq,
                Direction = "in",
                Kind = input.Kind,
                DisplayText = input.DisplayText,
                Body = input.Body,
                MediaJson = input.MediaJson,
                Wamid = input.Wamid,
                WaId = input.WaId,
                Status = "received",
                At = input.Timestamp,
                Version = conversation.Version,
                ContextWamid = input.ContextWamid,
                ReferralJson = input.ReferralJson,
                Forwarded = input.Forwarded,
                // A text message is fully described by its body; other kinds keep Meta's item as received.
                Raw = input.Kind == "text" ? null : input.Raw,
                ContextId = quoted?.OurMessageId,
                ContextText = quoted is null ? null : Quote(quoted.DisplayText),
            };
            if (input.MediaJson is not null && MediaRules.TryParseKind(input.Kind, out var _))
            {
                // Issue 16: the file is fetched from Meta after the 200 (never on this path); the fetch row is its to-do.
                message.MediaState = mediaId is null ? MediaStates.Unavailable : MediaStates.Pending;
                message.MediaError = mediaId is null ? "no_media_id" : null;
                if (mediaId is not null)
                {
                    operations.Add(EntityOperation.Insert(InboundMediaFetcher.FetchRow(tenantId, conversation.ConversationId, message.Seq, mediaId, input.Timestamp, time.GetUtcNow())));
                }
            }

            operations.Add(EntityOperation.Insert(message.ToEntity()));
            var customerEntity = customer.ToEntity();
            EntityOperation? customerOp = null;
            if (writeCustomer)
            {
                customerOp = customer.ETag is null ? EntityOperation.Insert(customerEntity) : EntityOperation.Replace(customerEntity);
                operations.Add(customerOp);
            }

            // The wamid insert goes first: a duplicate delivery fails on it (index 0) before anything else is checked.
            operations.Insert(0, EntityOperation.Insert(new Entity(tenantId, Keys.Wamid(input.Wamid), new Dictionary<string, object?>
            {
                ["ConversationId"] = conversation.ConversationId,
                ["Seq"] = message.Seq,
                ["Direction"] = "in",
            })));

            var result = await ledger.SubmitAsync(operations, ct);
            if (!result.Succeeded && result.Failure == StoreFailure.AlreadyExists && result.FailedIndex == 0)
            {
                // P3: this wamid is stored already (a retry or a concurrent delivery); complete what may be left undone.
                var dedupe = await ledger.GetAsync(tenantId, Keys.Wamid(input.Wamid), ct);
                await FollowUpAsync(tenantId, dedupe?.GetString("ConversationId"), ct);
                return InboundOutcome.Duplicate;
            }

            if (result.Succeeded)
            {
                conversation.ETag = result.ETags[operations.IndexOf(conversationOp)];
                hotRows.Remember(tenantId, conversationEntity.RowKey, conversation);
                if (customerOp is not null)
                {
                    customer.ETag = result.ETags[operations.IndexOf(customerOp)];
                    hotRows.Remember(tenantId, customerKey, customer);
                }
                if (message.MediaState == MediaStates.Pending)
                {
                    mediaSignal.Notify(tenantId, conversation.ConversationId, message.Seq);
                }

                await events.PublishAsync(new AgentEvent(eventType, tenantId, conversation.ConversationId, conversation.Version, conversation.AgentId, new
                {
                    conversation = ConversationView.From(conversation),
                    message = MessageView.From(message),
                }), ct);
                // Only a conversation this message put in the queue can change what the router would do; a further
                // message of a customer already waiting changes neither the queue nor any agent's capacity (every
                // path that frees capacity routes, and a duplicate delivery runs the follow-up below).
                if (conversation.Stage == ConversationStage.Queued && eventType == AgentEventTypes.ConversationQueued)
                {
                    await router.AssignWaitingAsync(tenantId, ct);
                }

                return InboundOutcome.Stored;
            }

            hotRows.Forget(tenantId, customerKey);
            if (customer.CurrentConversationId is { } staleId)
            {
                hotRows.Forget(tenantId, Keys.Conversation(staleId));
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Inbound message kept conflicting after {MaxAttempts} attempts.");
            }

            logger.LogDebug("Inbound message conflicted ({Failure} at {Index}); retrying", result.Failure, result.FailedIndex);
        }
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

    private static string? MediaIdOf(InboundInput input)
    {
        if (input.MediaJson is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(input.MediaJson);
        return doc.RootElement.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } value ? value : null;
    }

    /// <summary>A duplicate delivery still completes what a crash may have left undone: routing of a queued conversation.</summary>
    private async Task FollowUpAsync(string tenantId, string? conversationId, CancellationToken ct)
    {
        if (conversationId is null)
        {
            return;
        }

        var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
        if (conversation?.Stage == ConversationStage.Queued)
        {
            await router.AssignWaitingAsync(tenantId, ct);
        }
    }
}

public static class ConversationIds
{
    /// <summary>Time-ordered, key-safe conversation ids (UUID v7, no dashes, no dots).</summary>
    public static string New(DateTimeOffset at) => Guid.CreateVersion7(at).ToString("N");
}
