using Smartspace.Core.Text;
using Smartspace.Functions.Ledger;
using Smartspace.Meta.Sending;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>What a Meta failure means for the conversation and what the agent reads about it.</summary>
public sealed class OutboundEffects
{
    public const int ReengagementRequired = 131047;

    /// <summary>
    /// Marks the message failed with Meta's error and the pt-BR explanation. 131047 (outside the window)
    /// also makes the conversation template-only, whether it came in the send response or later as a
    /// <c>failed</c> status.
    /// </summary>
    public void ApplyFailure(ConversationRow conversation, MessageRow message, int? code, string? title, string? details)
    {
        message.Status = "failed";
        message.ErrorCode = code;
        message.ErrorTitle = title;
        message.ErrorDetails = details;
        message.ErrorText = AgentText(code);
        if (code == ReengagementRequired)
        {
            conversation.TemplateOnly = true;
        }
    }

    /// <summary>
    /// The agent's text for Meta's code. A template that does not exist, is paused or disabled (132001, 132015,
    /// 132016) reads as "not approved, pick another" (P5) — the same text as <see cref="SendOutcome.Rejected.AgentText"/> —
    /// rather than "try again", which would fail the same way.
    /// </summary>
    public static string AgentText(int? code) => code switch
    {
        MetaErrorCodes.TemplateNotFound or MetaErrorCodes.TemplatePaused or MetaErrorCodes.TemplateDisabled => PtBr.TemplateNotApproved,
        { } c => PtBr.ForMetaError(c),
        null => PtBr.MetaUnknownError,
    };
}
