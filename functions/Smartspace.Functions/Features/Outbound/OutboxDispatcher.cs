using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Sending;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>
/// Sends what the outbox holds. An entry is claimed with its ETag (pending → inflight) so two instances
/// never send the same message; the outcome is then committed with the message:
/// accepted → wamid and wa_id stored, entry removed; retryable (429/130429, 131056, 5xx) → back to pending
/// with Meta's pacing; permanent → message failed with Meta's error and the agent's text (131047 also makes
/// the conversation template-only); ambiguous (timeout after sending) → never re-sent blindly: it waits for a
/// status webhook carrying our id (biz_opaque_callback_data), which settles it, and is shown as unconfirmed
/// when none comes. An inflight entry whose process died is treated as ambiguous for the same reason.
/// </summary>
public sealed partial class OutboxDispatcher(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    TemplateCatalog templates,
    IWhatsAppSender sender,
    OutboundEffects effects,
    IAgentEventPublisher events,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger)
{
    public static readonly TimeSpan InFlightTimeout = TimeSpan.FromMinutes(2);
    public OutboundRetryPolicy Policy { get; init; } = OutboundRetryPolicy.Default;

    /// <summary>Runs every due entry of every contact center (the retry timer).</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var handled = 0;
        foreach (var tenant in await directory.GetTenantsAsync(ct))
        {
            foreach (var row in await ledger.QueryAllAsync(tenant.TenantId, Keys.OutboxPrefix, ct))
            {
                if (await DispatchAsync(tenant.TenantId, Keys.Unescape(row.RowKey[Keys.OutboxPrefix.Length..]), ct))
                {
                    handled++;
                }
            }
        }

        return handled;
    }

    /// <summary>Handles one entry if it is due. True when something was done.</summary>
    public async Task<bool> DispatchAsync(string tenantId, string ourMessageId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var entry = await ledger.GetAsync(tenantId, Keys.Outbox(ourMessageId), ct);
        if (entry is null || !Keys.TryParseOurMessageId(ourMessageId, out var conversationId, out var seq))
        {
            return false;
        }

        var state = entry.GetString("State");
        var attempts = entry.GetInt32("Attempts") ?? 0;
        switch (state)
        {
            case OutboxStates.Pending when (entry.GetDateTimeOffset("NextAttemptAt") ?? now) <= now:
                break;
            case OutboxStates.InFlight when (entry.GetDateTimeOffset("InFlightSince") ?? now) + InFlightTimeout <= now:
                entry["State"] = OutboxStates.Ambiguous;
                entry["AwaitUntil"] = now + Policy.StatusWait;
                await ledger.SubmitAsync([EntityOperation.Replace(entry)], ct);
                return true;
            case OutboxStates.Ambiguous when (entry.GetDateTimeOffset("AwaitUntil") ?? now) <= now:
                await FinishAsync(tenantId, conversationId, seq, entry, message => effectsUnconfirmed(message), ct);
                return true;
            default:
                return false;
        }

        // Claim: only one instance sends.
        entry["State"] = OutboxStates.InFlight;
        entry["InFlightSince"] = now;
        var claim = await ledger.SubmitAsync([EntityOperation.Replace(entry)], ct);
        if (!claim.Succeeded)
        {
            return false;
        }

        entry.ETag = claim.ETags[0];
        var message = await ledger.GetMessageAsync(tenantId, conversationId, seq, ct);
        var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
        if (message is null || conversation is null)
        {
            await ledger.SubmitAsync([EntityOperation.Delete(entry)], ct);
            return true;
        }

        var customer = await ledger.GetCustomerAsync(tenantId, conversation.ChannelId, conversation.CustomerKey, ct);
        var to = "+" + (customer?.SendTo ?? conversation.CustomerNumber ?? conversation.CustomerKey).TrimStart('+');
        var request = await BuildRequestAsync(conversation, message, to, ct);
        SendOutcome outcome = request is null
            // What Meta would answer for it (132001: missing or not approved), so the agent reads "not approved" (P5).
            ? new SendOutcome.Rejected(MetaErrorCodes.TemplateNotFound, "template unavailable", "The template is no longer approved.", null, RejectionKind.Permanent)
            : await sender.SendAsync(request with { Attempt = attempts }, ct);

        switch (Policy.Next(outcome, attempts, time.GetUtcNow()))
        {
            case RetryDecision.Done:
                var accepted = (SendOutcome.Accepted)outcome;
                await FinishAsync(tenantId, conversationId, seq, entry, m =>
                {
                    m.Wamid = accepted.Wamid;
                    m.WaId = accepted.WaId ?? m.WaId;
                    if (m.Status == "pending")
                    {
                        m.Status = "accepted";
                    }
                }, ct, accepted);
                return true;
            case RetryDecision.RetryAt retry:
                entry["State"] = OutboxStates.Pending;
                entry["Attempts"] = retry.NextAttempt;
                entry["NextAttemptAt"] = retry.At;
                entry["LastError"] = (outcome as SendOutcome.Rejected)?.Code;
                await ledger.SubmitAsync([EntityOperation.Replace(entry)], ct);
                LogRetry(ourMessageId, (outcome as SendOutcome.Rejected)?.Code, retry.At);
                return true;
            case RetryDecision.AwaitStatus wait:
                entry["State"] = OutboxStates.Ambiguous;
                entry["AwaitUntil"] = wait.Until;
                await ledger.SubmitAsync([EntityOperation.Replace(entry)], ct);
                LogAmbiguous(ourMessageId);
                return true;
            default:
                var rejected = outcome as SendOutcome.Rejected;
                await FinishAsync(tenantId, conversationId, seq, entry, m => { }, ct, failure: rejected);
                return true;
        }
    }

    private void effectsUnconfirmed(MessageRow message)
    {
        message.Status = "unconfirmed";
        message.ErrorText = PtBr.MetaUnknownError;
    }

    private async Task<OutboundRequest?> BuildRequestAsync(ConversationRow conversation, MessageRow message, string to, CancellationToken ct)
    {
        if (message.Kind != "template")
        {
            return OutboundRequest.ForText(conversation.ChannelId, to, message.OurMessageId, message.Body ?? message.DisplayText);
        }

        var channel = await directory.GetChannelAsync(conversation.ChannelId, ct);
        var template = channel is null ? null : await templates.GetAsync(conversation.TenantId, channel.WabaId, message.TemplateName ?? "", message.TemplateLanguage ?? "", ct);
        if (template is null || !template.IsSendable)
        {
            return null;
        }

        var parameters = JsonSerializer.Deserialize<ParametersDocument>(message.TemplateParametersJson ?? "{}")?.ToParameters() ?? Core.Templates.TemplateParameters.Empty;
        return OutboundRequest.ForTemplate(conversation.ChannelId, to, message.OurMessageId, template, parameters);
    }

    /// <summary>Commits the outcome with the message and removes the outbox entry, retrying on conflicts (statuses may race).</summary>
    private async Task FinishAsync(string tenantId, string conversationId, long seq, Entity entry, Action<MessageRow> apply, CancellationToken ct,
        SendOutcome.Accepted? accepted = null, SendOutcome.Rejected? failure = null)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var message = await ledger.GetMessageAsync(tenantId, conversationId, seq, ct);
            var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
            var current = await ledger.GetAsync(tenantId, entry.RowKey, ct);
            if (message is null || conversation is null)
            {
                return;
            }

            // The entry is gone: a status webhook settled it meanwhile (Meta has the message). Only an accepted
            // send still has something to add (its wamid); a failure or "unconfirmed" must not overwrite that status (P3).
            if (current is null && accepted is null)
            {
                return;
            }

            conversation.Version++;
            message.Version = conversation.Version;
            apply(message);
            if (failure is not null)
            {
                effects.ApplyFailure(conversation, message, failure.Code, failure.Title, failure.Details);
            }

            var operations = new List<EntityOperation>
            {
                EntityOperation.Replace(message.ToEntity()),
                EntityOperation.Replace(conversation.ToEntity()),
            };
            if (current is not null)
            {
                operations.Add(EntityOperation.Delete(current));
            }

            if (accepted is not null)
            {
                operations.Add(EntityOperation.Upsert(new Entity(tenantId, Keys.Wamid(accepted.Wamid), new Dictionary<string, object?>
                {
                    ["ConversationId"] = conversationId,
                    ["Seq"] = seq,
                    ["Direction"] = "out",
                })));
            }

            var result = await ledger.SubmitAsync(operations, ct);
            if (!result.Succeeded)
            {
                continue;
            }

            if (accepted?.WaId is { } waId)
            {
                await RecordWaIdAsync(conversation, waId, ct);
            }

            await events.PublishAsync(new AgentEvent(AgentEventTypes.MessageStatusChanged, tenantId, conversationId, conversation.Version, conversation.AgentId,
                new { message = MessageView.From(message), conversation = ConversationView.From(conversation) }), ct);
            return;
        }

        throw new StoreUnavailableException("Outbox outcome kept conflicting.");
    }

    /// <summary>P6: the wa_id Meta reports (e.g. the 12-digit form of a Brazilian mobile) is where later sends go.</summary>
    private async Task RecordWaIdAsync(ConversationRow conversation, string waId, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var customer = await ledger.GetCustomerAsync(conversation.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            if (customer is null || customer.WaId == waId)
            {
                return;
            }

            customer.WaId = waId;
            customer.SendTo = waId;
            if ((await ledger.SubmitAsync([EntityOperation.Replace(customer.ToEntity())], ct)).Succeeded)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound {OurMessageId} refused with {Code}; retrying at {At}")]
    private partial void LogRetry(string ourMessageId, int? code, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound {OurMessageId} ended ambiguously; waiting for a status instead of re-sending")]
    private partial void LogAmbiguous(string ourMessageId);
}
