using Smartspace.Durable.Client;
using System.Collections.Concurrent;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;
using Smartspace.Meta.Media;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Media;

/// <summary>
/// Blue ticks and "digitando…". <c>POST …/read</c> (the console calls it when the agent opens a conversation): every
/// customer message not yet read is claimed with a conditional write (its <c>ReadAt</c>) and only then marked read at
/// Meta — so each is marked exactly once, whoever opens it and however often. <c>POST …/typing</c> (while the agent
/// types): Meta's typing indicator on the customer's last message, only inside the window, at most every
/// <see cref="TypingInterval"/> per conversation (Meta shows it up to 25 s); Meta's indicator also marks that message read,
/// so it is claimed the same way.
/// </summary>
public sealed class ReadReceiptsHandler(LedgerStore ledger, IConversationEntities entities, IMetaMedia meta, TimeProvider time)
{
    public static readonly TimeSpan TypingInterval = TimeSpan.FromSeconds(20);

    private readonly ConcurrentDictionary<string, DateTimeOffset> lastTyping = new(StringComparer.Ordinal);

    public async Task<IResult> MarkReadAsync(Caller caller, string conversationId, CancellationToken ct)
    {
        var (conversation, problem) = await HeldAsync(caller, conversationId, ct);
        if (problem is not null)
        {
            return problem;
        }

        var marked = 0;
        var messages = await ledger.GetMessagesAsync(caller.TenantId, conversationId, 0, ct);
        foreach (var message in messages.Where(m => m.Direction == "in" && m.Wamid is not null && m.ReadAt is null).OrderBy(m => m.Seq))
        {
            if (!await ClaimAsync(message, ct))
            {
                continue;
            }

            if (await meta.MarkReadAsync(conversation!.ChannelId, message.Wamid!, typing: false, ct))
            {
                marked++;
            }
            else
            {
                await UnclaimAsync(message, ct); // Meta did not take it: the next open tries again (a read receipt is harmless twice)
            }
        }

        return Results.Ok(new { marked });
    }

    public async Task<IResult> TypingAsync(Caller caller, string conversationId, CancellationToken ct)
    {
        var (conversation, problem) = await HeldAsync(caller, conversationId, ct);
        if (problem is not null)
        {
            return problem;
        }

        var now = time.GetUtcNow();
        var customer = await entities.GetCustomerAsync(caller.TenantId, conversation!.ChannelId, conversation.CustomerKey, ct);
        var decision = ConversationRules.DecideSendText(conversation.ToState(), caller.AgentId,
            ServiceWindow.IsOpen(Dates.Latest(customer.LastInboundAt, conversation.LastInboundAt), now) && !conversation.TemplateOnly);
        if (decision is SendDecision.Refused refused)
        {
            return ApiProblems.Refusal(refused.Code);
        }

        var key = caller.TenantId + "|" + conversationId;
        if (lastTyping.TryGetValue(key, out var last) && now - last < TypingInterval)
        {
            return Results.Json(new { sent = false }, statusCode: StatusCodes.Status202Accepted);
        }

        var latest = (await ledger.GetMessagesAsync(caller.TenantId, conversationId, 0, ct))
            .Where(m => m.Direction == "in" && m.Wamid is not null).MaxBy(m => m.Seq);
        if (latest is null)
        {
            return Results.Json(new { sent = false }, statusCode: StatusCodes.Status202Accepted);
        }

        lastTyping[key] = now;
        if (latest.ReadAt is null)
        {
            await ClaimAsync(latest, ct);
        }

        var sent = await meta.MarkReadAsync(conversation.ChannelId, latest.Wamid!, typing: true, ct);
        return Results.Json(new { sent }, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The holder only: a supervisor looking at a conversation does not send read receipts for the agent.</summary>
    private async Task<(ConversationRow? Conversation, IResult? Problem)> HeldAsync(Caller caller, string conversationId, CancellationToken ct)
    {
        var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
        if (conversation is null)
        {
            return (null, ApiProblems.Refusal(RefusalCode.ConversationNotFound));
        }

        return conversation.AgentId != caller.AgentId ? (null, ApiProblems.Refusal(RefusalCode.NotConversationOwner)) : (conversation, null);
    }

    /// <summary>Gives a claim back (best effort, ETag-guarded): a later open marks the message again.</summary>
    private async Task UnclaimAsync(MessageRow message, CancellationToken ct)
    {
        var current = await ledger.GetMessageAsync(message.TenantId, message.ConversationId, message.Seq, ct);
        if (current?.ReadAt is not null)
        {
            current.ReadAt = null;
            await ledger.SubmitAsync([EntityOperation.Replace(current.ToEntity())], ct);
        }
    }

    /// <summary>
    /// True when this call set <see cref="MessageRow.ReadAt"/> (ETag-guarded: of concurrent claims exactly one wins). A
    /// conflict with another change of the message (a status, its media arriving) reads it again and tries once more.
    /// </summary>
    private async Task<bool> ClaimAsync(MessageRow message, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            message.ReadAt = time.GetUtcNow();
            if ((await ledger.SubmitAsync([EntityOperation.Replace(message.ToEntity())], ct)).Succeeded)
            {
                return true;
            }

            var current = await ledger.GetMessageAsync(message.TenantId, message.ConversationId, message.Seq, ct);
            if (current is null || current.ReadAt is not null)
            {
                return false; // someone else claimed it (or it is gone)
            }

            message = current;
        }

        return false;
    }
}
