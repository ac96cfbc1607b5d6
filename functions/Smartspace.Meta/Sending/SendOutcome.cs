using Smartspace.Core.Messaging;

namespace Smartspace.Meta.Sending;

/// <summary>What a send produced. Accepted means Meta took it, not that it was delivered (statuses tell that).</summary>
public abstract record SendOutcome
{
    private SendOutcome() { }

    /// <param name="Wamid">Meta's message id (<c>messages[0].id</c>).</param>
    /// <param name="WaId"><c>contacts[0].wa_id</c>: may differ from the number sent to (Brazil, P6) — persist it.</param>
    /// <param name="MessageStatus"><c>accepted</c>, <c>held_for_quality_assessment</c> (template pacing) or null.</param>
    public sealed record Accepted(string Wamid, string? WaId, string? MessageStatus) : SendOutcome
    {
        public bool HeldForQualityAssessment =>
            string.Equals(MessageStatus, "held_for_quality_assessment", StringComparison.OrdinalIgnoreCase);
    }

    /// <param name="Code">Meta error code; null for transport failures and error bodies without one.</param>
    /// <param name="Title">Meta's message/title, or a short description of the transport failure.</param>
    /// <param name="Details"><c>error.error_data.details</c>, if any.</param>
    /// <param name="HttpStatus">HTTP status of the answer; null when no answer arrived.</param>
    /// <param name="Kind">What the caller may do: retry later, give up, or wait for correlation.</param>
    public sealed record Rejected(int? Code, string Title, string? Details, int? HttpStatus, RejectionKind Kind) : SendOutcome
    {
        /// <summary>The pt-BR explanation for the agent when this refusal is final (template not found/paused/disabled read as "not approved", P5).</summary>
        public string AgentText => OutboundNotices.Failed(Code, HttpStatus).Text;
    }
}

/// <summary>How a rejection must be handled.</summary>
public abstract record RejectionKind
{
    private RejectionKind() { }

    public static readonly RejectionKind Permanent = new PermanentKind();

    public static readonly RejectionKind Ambiguous = new AmbiguousKind();

    /// <summary>Nothing was delivered; the same request may be sent again after <paramref name="Delay"/>.</summary>
    public sealed record RetryLater(TimeSpan Delay) : RejectionKind;

    /// <summary>Re-sending will fail the same way (window closed, template problem, auth…).</summary>
    public sealed record PermanentKind : RejectionKind;

    /// <summary>
    /// The request may have reached Meta (timeout, connection dropped after sending). Do NOT re-send blindly:
    /// wait for a status webhook carrying our <c>biz_opaque_callback_data</c>.
    /// </summary>
    public sealed record AmbiguousKind : RejectionKind;
}
