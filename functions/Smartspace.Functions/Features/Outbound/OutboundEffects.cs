using Smartspace.Core.Text;
using Smartspace.Functions.Ledger;

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
        message.ErrorText = code is { } c ? PtBr.ForMetaError(c) : PtBr.MetaUnknownError;
        if (code == ReengagementRequired)
        {
            conversation.TemplateOnly = true;
        }
    }
}
