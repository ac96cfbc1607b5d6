using Smartspace.Core.Conversations;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.SendMessage;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Media;

/// <summary>
/// <c>POST …/messages/{messageId}/reaction {"emoji"}</c> and <c>DELETE</c> (removes it): the agent reacts to a customer's
/// message. A reaction is a WhatsApp message of its own (sent by the outbox, with statuses), so it follows the free-form
/// rules of text (window open, the holder, not awaiting a template reply); the reacted message shows it.
/// </summary>
public sealed class ReactionHandler(SendMessageHandler sender, LedgerStore ledger)
{
    public const int MaxEmojiLength = 16;

    public async Task<IResult> ReactAsync(Caller caller, string conversationId, string messageId, string? emoji, CancellationToken ct)
    {
        emoji = emoji?.Trim() ?? "";
        if (emoji.Length > MaxEmojiLength || emoji.Any(char.IsAsciiLetterOrDigit))
        {
            return ApiProblems.BadRequest($"emoji must be one emoji (at most {MaxEmojiLength} UTF-16 characters); send DELETE to remove a reaction.");
        }

        var target = await MediaApi.MessageAsync(ledger, caller.TenantId, conversationId, messageId, ct);
        if (target is null || target.Direction != "in" || target.Wamid is null)
        {
            return ApiProblems.Refusal(RefusalCode.MessageNotFound);
        }

        return await sender.SendFreeFormAsync(caller, conversationId, null, (conversation, now) => new MessageRow
        {
            TenantId = conversation.TenantId,
            ConversationId = conversation.ConversationId,
            Seq = conversation.MessageSeq,
            Direction = "out",
            Kind = "reaction",
            DisplayText = emoji.Length == 0 ? PtBr.InboundReactionRemoved : PtBr.InboundReactedWith(emoji),
            Body = emoji,
            ContextWamid = target.Wamid,
            ContextId = target.OurMessageId,
            ContextText = MetaWebhook.TablesInboundPlacement.Quote(target.DisplayText),
            Status = "pending",
            At = now,
            Version = conversation.Version,
            AgentId = caller.AgentId,
        }, async (conversation, _) =>
        {
            // The reacted message shows the agent's reaction, in the same batch (read fresh: the batch is ETag-guarded).
            var current = await ledger.GetMessageAsync(caller.TenantId, conversationId, target.Seq, ct);
            if (current is null)
            {
                return AlsoWrite.Refuse(ApiProblems.Refusal(RefusalCode.MessageNotFound));
            }

            current.AgentReaction = emoji.Length == 0 ? null : emoji;
            current.Version = conversation.Version;
            return AlsoWrite.With(EntityOperation.Replace(current.ToEntity()));
        }, ct);
    }
}
