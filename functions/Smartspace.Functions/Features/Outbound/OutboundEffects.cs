using Smartspace.Core.Messaging;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>
/// Writes an outbound state onto its message row: the product's own states (<see cref="OutboundNotice"/>: retrying,
/// unconfirmed, held, failed) and Meta's statuses. Whatever is written replaces what it contradicts, so a message never
/// shows "delivered" with an earlier error still attached.
/// </summary>
public sealed class OutboundEffects
{
    public const int ReengagementRequired = 131047;

    /// <summary>
    /// Shows <paramref name="notice"/> on the message. A failure keeps Meta's title and details; 131047 (outside the
    /// window) also makes the conversation template-only, whether it came in the send response or later as a
    /// <c>failed</c> status.
    /// </summary>
    public void Apply(ConversationRow conversation, MessageRow message, OutboundNotice notice, string? title = null, string? details = null)
    {
        message.Status = notice.Status;
        message.ErrorCode = notice.Code;
        message.ErrorText = notice.Text;
        message.NextStep = OutboundNotices.ToWire(notice.Next);
        message.RetryAt = notice.RetryAt;
        message.ErrorTitle = notice.Status == OutboundNotices.FailedStatus ? title : null;
        message.ErrorDetails = notice.Status == OutboundNotices.FailedStatus ? details : null;
        if (notice.Status == OutboundNotices.FailedStatus && notice.Code == ReengagementRequired)
        {
            conversation.TemplateOnly = true;
        }
    }

    /// <summary>Meta took the message (its send response): accepted, or held for the template's quality assessment.</summary>
    public void Accepted(ConversationRow conversation, MessageRow message, bool held)
    {
        if (held)
        {
            Apply(conversation, message, OutboundNotices.Held());
        }
        else
        {
            message.Status = "accepted";
            Clear(message);
        }
    }

    /// <summary>A Meta status (sent, delivered, read, played) that is not a failure: it clears any earlier notice (P3).</summary>
    public static void Progressed(MessageRow message, MessageStatus status)
    {
        message.Status = status.ToString().ToLowerInvariant();
        Clear(message);
    }

    /// <summary>The agent-visible outbound fields, to tell whether a change is one (exactly one event per change).</summary>
    public static (string Status, int? Code, string? Text, string? Next, DateTimeOffset? RetryAt, string? Wamid) Visible(MessageRow message) =>
        (message.Status, message.ErrorCode, message.ErrorText, message.NextStep, message.RetryAt, message.Wamid);

    private static void Clear(MessageRow message)
    {
        message.ErrorCode = null;
        message.ErrorTitle = null;
        message.ErrorDetails = null;
        message.ErrorText = null;
        message.NextStep = null;
        message.RetryAt = null;
    }
}
