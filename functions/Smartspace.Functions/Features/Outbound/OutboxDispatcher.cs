using System.Text.Json;
using Smartspace.Core.Messaging;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Health;
using Smartspace.Functions.Ledger;
using Smartspace.Meta.Media;
using Smartspace.Meta.Sending;
using Smartspace.Storage.Blobs;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>
/// Sends what the outbox holds, many at once. An entry is claimed with its ETag (pending → inflight) so two instances
/// never send the same message; the Graph call holds a slot of its business number only (<see cref="SendLanes"/>) and
/// is paced to Meta's throughput and pair rate (<see cref="SendPacing"/>), so a hung call delays only its own message.
/// The outcome is committed with the message, which always shows what happens next:
/// accepted (or held by Meta) → wamid and wa_id stored, entry removed; retryable (130429, 131056, 5xx) → "retrying"
/// with the reason and the time of the automatic retry; permanent or retries exhausted → failed with the reason and
/// whether a retry can help (an expired token is a configuration problem); ambiguous (timeout after sending) →
/// "unconfirmed" at once (Meta may have delivered it), never re-sent blindly: a status webhook carrying our id
/// (biz_opaque_callback_data) settles it. An inflight entry whose process died is treated as ambiguous.
/// </summary>
public sealed partial class OutboxDispatcher(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    TemplateCatalog templates,
    IWhatsAppSender sender,
    OutboundEffects effects,
    OutboxCommits commits,
    SendLanes lanes,
    SendPacing pacing,
    MetaAccessHealth access,
    IMetaMedia media,
    IBlobStore blobs,
    TimeProvider time,
    ILogger<OutboxDispatcher> logger)
{
    public static readonly TimeSpan InFlightTimeout = TimeSpan.FromMinutes(2);
    public OutboundRetryPolicy Policy { get; init; } = OutboundRetryPolicy.Default;

    /// <summary>How long a sweep waits for its sends before it returns, leaving slow ones to finish on their own. Default 5 s.</summary>
    public TimeSpan SweepWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Runs every due entry of every contact center (the retry timer), concurrently within the send slots.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var work = new List<Task<bool>>();
        foreach (var tenant in await directory.GetTenantsAsync(ct))
        {
            foreach (var row in await ledger.QueryAllAsync(tenant.TenantId, Keys.OutboxPrefix, ct))
            {
                if (Due(row, now) != OutboxDue.No)
                {
                    work.Add(DispatchAsync(tenant.TenantId, Keys.Unescape(row.RowKey[Keys.OutboxPrefix.Length..]), ct));
                }
            }
        }

        // A hung Graph call must not hold up the next sweep either: after SweepWait the sweep returns and what is still
        // running finishes on its own (its claim keeps the next sweep off it; a dead process leaves it to the in-flight timeout).
        var all = Task.WhenAll(work);
        if (await Task.WhenAny(all, Task.Delay(SweepWait, time, ct)) == all)
        {
            return (await all).Count(handled => handled);
        }

        _ = all.ContinueWith(t => LogSweepStragglerFailed(t.Exception), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return work.Count(t => t.IsCompletedSuccessfully && t.Result);
    }

    /// <summary>Handles one entry if it is due. True when something was done.</summary>
    public async Task<bool> DispatchAsync(string tenantId, string ourMessageId, CancellationToken ct)
    {
        var entry = await ledger.GetAsync(tenantId, Keys.Outbox(ourMessageId), ct);
        if (entry is null || !Keys.TryParseOurMessageId(ourMessageId, out var conversationId, out var seq))
        {
            return false;
        }

        var target = new Target(tenantId, conversationId, seq, ourMessageId);
        switch (Due(entry, time.GetUtcNow()))
        {
            case OutboxDue.Send:
                return await SendAsync(target, entry, ct);
            case OutboxDue.InFlightExpired:
                // The process that claimed it died (or hung): it may have reached Meta, so it is never sent again.
                await commits.CommitAsync(target, ShowUnconfirmed, e => AwaitStatus(e, time.GetUtcNow() + Policy.StatusWait), null, ct);
                return true;
            case OutboxDue.StatusWaitOver:
                // No status came: the message stays unconfirmed (a later status still settles it), the entry goes.
                await commits.CommitAsync(target, ShowUnconfirmed, null, null, ct);
                return true;
            default:
                return false;
        }
    }

    private static OutboxDue Due(Entity entry, DateTimeOffset now) => entry.GetString("State") switch
    {
        OutboxStates.Pending when (entry.GetDateTimeOffset("NextAttemptAt") ?? now) <= now => OutboxDue.Send,
        OutboxStates.InFlight when (entry.GetDateTimeOffset("InFlightSince") ?? now) + InFlightTimeout <= now => OutboxDue.InFlightExpired,
        OutboxStates.Ambiguous when (entry.GetDateTimeOffset("AwaitUntil") ?? now) <= now => OutboxDue.StatusWaitOver,
        _ => OutboxDue.No,
    };

    private async Task<bool> SendAsync(Target target, Entity entry, CancellationToken ct)
    {
        var message = await ledger.GetMessageAsync(target.TenantId, target.ConversationId, target.Seq, ct);
        var conversation = await ledger.GetConversationAsync(target.TenantId, target.ConversationId, ct);
        if (message is null || conversation is null)
        {
            await ledger.SubmitAsync([EntityOperation.Delete(entry)], ct);
            return true;
        }

        var attempts = entry.GetInt32("Attempts") ?? 0;
        SendOutcome outcome;
        using (var slot = await lanes.EnterAsync(conversation.ChannelId, ct))
        {
            // Claim: only one instance sends. Taken once a slot is held, so the in-flight timeout covers the call only.
            entry["State"] = OutboxStates.InFlight;
            entry["InFlightSince"] = time.GetUtcNow();
            var claim = await ledger.SubmitAsync([EntityOperation.Replace(entry)], ct);
            if (!claim.Succeeded)
            {
                return false;
            }

            entry.ETag = claim.ETags[0];
            var customer = await ledger.GetCustomerAsync(target.TenantId, conversation.ChannelId, conversation.CustomerKey, ct);
            var to = "+" + (customer?.SendTo ?? conversation.CustomerNumber ?? conversation.CustomerKey).TrimStart('+');
            var (request, refused) = await BuildRequestAsync(conversation, message, to, ct);
            if (refused is not null)
            {
                outcome = refused; // the attachment's upload to Meta was refused or failed: classified like a send
            }
            else if (request is null)
            {
                // What Meta would answer for it (132001: missing or not approved), so the agent reads "not approved" (P5).
                outcome = new SendOutcome.Rejected(MetaErrorCodes.TemplateNotFound, "template unavailable", "The template is no longer approved.", null, RejectionKind.Permanent);
            }
            else
            {
                var pace = pacing.Reserve(conversation.ChannelId, to, time.GetUtcNow());
                if (!pace.Reserved)
                {
                    // Beyond the pair rate's burst: back in the outbox, due when Meta allows it (no attempt used).
                    entry["State"] = OutboxStates.Pending;
                    entry["NextAttemptAt"] = time.GetUtcNow() + pace.Wait;
                    await ledger.SubmitAsync([EntityOperation.Replace(entry)], ct);
                    LogPaced(target.OurMessageId, pace.Wait);
                    return true;
                }

                if (pace.Wait > TimeSpan.Zero)
                {
                    await Task.Delay(pace.Wait, time, ct);
                }

                outcome = await sender.SendAsync(request with { Attempt = attempts }, ct);
            }

            slot.Dispose();
        }

        await CommitOutcomeAsync(target, outcome, attempts, ct);
        return true;
    }

    private async Task CommitOutcomeAsync(Target target, SendOutcome outcome, int attempts, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var rejected = outcome as SendOutcome.Rejected;
        if (rejected is not null)
        {
            access.Refused(rejected.Code, rejected.HttpStatus, now);
        }

        switch (Policy.Next(outcome, attempts, now))
        {
            case RetryDecision.Done:
                access.Succeeded(now);
                var accepted = (SendOutcome.Accepted)outcome;
                await commits.CommitAsync(target, (c, m) =>
                {
                    m.Wamid = accepted.Wamid;
                    m.WaId = accepted.WaId ?? m.WaId;
                    // A status that overtook this response already tells more (sent, delivered…): it stays.
                    if (!HasMetaStatus(m))
                    {
                        effects.Accepted(c, m, accepted.HeldForQualityAssessment);
                    }
                }, null, accepted, ct);
                return;
            case RetryDecision.RetryAt retry:
                await commits.CommitAsync(target, (c, m) => effects.Apply(c, m, OutboundNotices.Retrying(rejected?.Code, retry.At)), e =>
                {
                    e["State"] = OutboxStates.Pending;
                    e["Attempts"] = retry.NextAttempt;
                    e["NextAttemptAt"] = retry.At;
                    e["LastError"] = rejected?.Code;
                }, null, ct);
                LogRetry(target.OurMessageId, rejected?.Code, retry.At);
                return;
            case RetryDecision.AwaitStatus wait:
                await commits.CommitAsync(target, ShowUnconfirmed, e => AwaitStatus(e, wait.Until), null, ct);
                LogAmbiguous(target.OurMessageId);
                return;
            case RetryDecision.GiveUp giveUp:
                var notice = giveUp.Reason == GiveUpReason.MaxAttemptsReached
                    ? OutboundNotices.GaveUp(rejected?.Code)
                    : OutboundNotices.Failed(rejected?.Code, rejected?.HttpStatus);
                await commits.CommitAsync(target, (c, m) => effects.Apply(c, m, notice, rejected?.Title, rejected?.Details), null, null, ct);
                return;
        }
    }

    private static void AwaitStatus(Entity entry, DateTimeOffset until)
    {
        entry["State"] = OutboxStates.Ambiguous;
        entry["AwaitUntil"] = until;
    }

    private void ShowUnconfirmed(ConversationRow conversation, MessageRow message)
    {
        if (!HasMetaStatus(message))
        {
            effects.Apply(conversation, message, OutboundNotices.Unconfirmed());
        }
    }

    /// <summary>True once Meta reported a status (sent, delivered, read, played, failed): our own states never replace it.</summary>
    private static bool HasMetaStatus(MessageRow message) => MessageStatusRules.FromMeta(message.Status) != MessageStatus.Unknown;

    private async Task<(OutboundRequest? Request, SendOutcome.Rejected? Refused)> BuildRequestAsync(ConversationRow conversation, MessageRow message, string to, CancellationToken ct)
    {
        if (message.Kind == "reaction" && message.ContextWamid is not null)
        {
            return (OutboundRequest.ForReaction(conversation.ChannelId, to, message.OurMessageId, new OutboundReaction(message.ContextWamid, message.Body ?? "")), null);
        }

        if (Core.Media.MediaRules.TryParseKind(message.Kind, out var kind))
        {
            // Upload, then send by id (reference §12). The blob was written before the message: a missing one is final.
            await using var stored = message.MediaBlob is null ? null : await blobs.GetAsync(message.MediaBlob, ct);
            if (stored is null)
            {
                return (null, new SendOutcome.Rejected(131053, "media file missing", "The attachment is no longer stored.", null, RejectionKind.Permanent));
            }

            using var content = new MemoryStream();
            await stored.Content.CopyToAsync(content, ct);
            var upload = await media.UploadAsync(conversation.ChannelId, content.ToArray(), message.MediaContentType ?? stored.ContentType, message.MediaFileName ?? "arquivo", ct);
            if (upload.MediaId is null)
            {
                return (null, upload.Refusal);
            }

            var caption = kind == Core.Media.MediaKind.Audio ? null : message.Body;
            var fileName = kind == Core.Media.MediaKind.Document ? message.MediaFileName : null;
            return (OutboundRequest.ForMedia(conversation.ChannelId, to, message.OurMessageId, new OutboundMedia(kind.ToString().ToLowerInvariant(), upload.MediaId, caption, fileName))
                with { ReplyToWamid = message.ContextWamid }, null);
        }

        if (message.Kind != "template")
        {
            return (OutboundRequest.ForText(conversation.ChannelId, to, message.OurMessageId, message.Body ?? message.DisplayText) with { ReplyToWamid = message.ContextWamid }, null);
        }

        var channel = await directory.GetChannelAsync(conversation.ChannelId, ct);
        var template = channel is null ? null : await templates.GetAsync(conversation.TenantId, channel.WabaId, message.TemplateName ?? "", message.TemplateLanguage ?? "", ct);
        if (template is null || !template.IsSendable)
        {
            return (null, null);
        }

        var parameters = JsonSerializer.Deserialize<ParametersDocument>(message.TemplateParametersJson ?? "{}")?.ToParameters() ?? Core.Templates.TemplateParameters.Empty;
        return (OutboundRequest.ForTemplate(conversation.ChannelId, to, message.OurMessageId, template, parameters), null);
    }

    private enum OutboxDue { No, Send, InFlightExpired, StatusWaitOver }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound {OurMessageId} refused with {Code}; retrying at {At}")]
    private partial void LogRetry(string ourMessageId, int? code, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound {OurMessageId} ended ambiguously; shown unconfirmed, waiting for a status instead of re-sending")]
    private partial void LogAmbiguous(string ourMessageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An outbox dispatch still running after its sweep returned failed; the next sweep retries it")]
    private partial void LogSweepStragglerFailed(Exception? exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound {OurMessageId} paced by Meta's pair rate; due again in {Wait}")]
    private partial void LogPaced(string ourMessageId, TimeSpan wait);
}
