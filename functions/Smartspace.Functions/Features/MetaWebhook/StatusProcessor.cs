using Smartspace.Core.Messaging;
using Smartspace.Functions.Features.Outbound;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.MetaWebhook;

/// <summary>A delivery status of one of our outbound messages.</summary>
public sealed record StatusInput(
    ChannelInfo Channel,
    string Wamid,
    MessageStatus Status,
    DateTimeOffset Timestamp,
    string? RecipientId,
    string? BizOpaqueCallbackData,
    int? ErrorCode,
    string? ErrorTitle,
    string? ErrorDetails);

public enum StatusOutcome { Applied, Ignored, UnknownMessage }

/// <summary>
/// Applies a status to its message monotonically (P3): sent &lt; delivered &lt; read never moves back,
/// duplicates and late arrivals change nothing, failed keeps Meta's error. The message is found by our
/// own id carried in <c>biz_opaque_callback_data</c> (set on every send), so a status that overtakes the
/// send's own response still lands; otherwise by the wamid row. Statuses for messages we never sent
/// (e.g. another app on the same number) are ignored and counted — keeping them could never help,
/// because every message of ours carries our id.
/// </summary>
public sealed class StatusProcessor(LedgerStore ledger, IKeyedGate gate, OutboundEffects effects, IAgentEventPublisher events, WebhookMetrics metrics)
{
    private const int MaxAttempts = 10;

    public async Task<StatusOutcome> ProcessAsync(StatusInput input, CancellationToken ct)
    {
        var tenantId = input.Channel.TenantId;
        if (!Keys.TryParseOurMessageId(input.BizOpaqueCallbackData, out var conversationId, out var seq))
        {
            var lookup = await ledger.GetAsync(tenantId, Keys.Wamid(input.Wamid), ct);
            if (lookup?.GetString("ConversationId") is not { } id || lookup.GetInt64("Seq") is not { } s || lookup.GetString("Direction") == "in")
            {
                metrics.UnknownStatus();
                return StatusOutcome.UnknownMessage;
            }

            (conversationId, seq) = (id, s);
        }

        using var _ = await gate.AcquireAsync($"{tenantId}|{Keys.Conversation(conversationId)}", ct);
        for (var attempt = 1; ; attempt++)
        {
            var message = await ledger.GetMessageAsync(tenantId, conversationId, seq, ct);
            var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
            if (message is null || conversation is null || message.Direction != "out")
            {
                metrics.UnknownStatus();
                return StatusOutcome.UnknownMessage;
            }

            var current = MessageStatusRules.FromMeta(message.Status);
            var outbox = await ledger.GetAsync(tenantId, Keys.Outbox(message.OurMessageId), ct);
            if (!MessageStatusRules.CanAdvance(current, input.Status) && outbox is null)
            {
                return StatusOutcome.Ignored;
            }

            var operations = new List<EntityOperation>(4);
            var changed = MessageStatusRules.CanAdvance(current, input.Status);
            if (changed)
            {
                conversation.Version++;
                message.Version = conversation.Version;
                message.StatusAt = input.Timestamp;
                message.Wamid ??= input.Wamid;
                message.WaId ??= input.RecipientId;
                if (input.Status == MessageStatus.Failed)
                {
                    effects.Apply(conversation, message, OutboundNotices.Failed(input.ErrorCode), input.ErrorTitle, input.ErrorDetails);
                }
                else
                {
                    // A later status wins and clears what it contradicts (retrying, unconfirmed, held, an earlier failure).
                    OutboundEffects.Progressed(message, input.Status);
                }

                operations.Add(EntityOperation.Replace(message.ToEntity()));
                operations.Add(EntityOperation.Replace(conversation.ToEntity()));
                operations.Add(EntityOperation.Upsert(new Entity(tenantId, Keys.Wamid(input.Wamid), new Dictionary<string, object?>
                {
                    ["ConversationId"] = conversationId,
                    ["Seq"] = seq,
                    ["Direction"] = "out",
                })));
            }

            // Any status proves Meta took the message: an outbox entry left by an ambiguous send is settled.
            if (outbox is not null)
            {
                operations.Add(EntityOperation.Delete(outbox));
            }

            var result = await ledger.SubmitAsync(operations, ct);
            if (result.Succeeded)
            {
                if (changed)
                {
                    await events.PublishAsync(new AgentEvent(AgentEventTypes.MessageStatusChanged, tenantId, conversationId, conversation.Version, conversation.AgentId,
                        new { message = MessageView.From(message), conversation = ConversationView.From(conversation) }), ct);
                }

                return changed ? StatusOutcome.Applied : StatusOutcome.Ignored;
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Status kept conflicting after {MaxAttempts} attempts.");
            }
        }
    }
}
