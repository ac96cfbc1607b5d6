using Smartspace.Core.Text;

namespace Smartspace.Core.Messaging;

/// <summary>What the agent can usefully do next about an outbound message (wire names in <see cref="OutboundNotices.ToWire"/>).</summary>
public enum NextStep
{
    /// <summary>Nothing: the message is on its way normally.</summary>
    None = 0,

    /// <summary>The product sends it again by itself at the notice's retry time.</summary>
    AutomaticRetry,

    /// <summary>Meta may have delivered it: check the conversation (or with the customer) before sending it again.</summary>
    CheckBeforeResending,

    /// <summary>Meta holds it and releases or drops it by itself; nothing to do.</summary>
    WaitForMeta,

    /// <summary>Failed for good, but sending it again later may work.</summary>
    ResendMayHelp,

    /// <summary>Failed for good; the same message sent again fails the same way.</summary>
    ResendWillNotHelp,

    /// <summary>The contact center's access to Meta (the access token) must be fixed; no retry can help.</summary>
    FixConfiguration,
}

/// <summary>
/// An outbound state the agent sees besides Meta's own statuses: its status value, the pt-BR text that says what
/// happened and what happens next, Meta's code, the next step and, while retrying, when.
/// </summary>
public sealed record OutboundNotice(string Status, int? Code, string Text, NextStep Next, DateTimeOffset? RetryAt = null);

/// <summary>
/// The product's outbound states (pure): each names its status and carries a text that is true for as long as it is
/// shown. Meta's later statuses (sent, delivered, read, failed) replace any of them (P3).
/// </summary>
public static class OutboundNotices
{
    /// <summary>Refused by Meta in a way that passes (rate limits, 5xx): sent again automatically at RetryAt.</summary>
    public const string RetryingStatus = "retrying";

    /// <summary>The send may or may not have reached Meta (timeout, dropped connection) and no status settled it yet.</summary>
    public const string UnconfirmedStatus = "unconfirmed";

    /// <summary>Accepted by Meta but held for the template's quality assessment (template pacing).</summary>
    public const string HeldStatus = "held";

    /// <summary>Failed for good.</summary>
    public const string FailedStatus = "failed";

    private const int AuthFailure = 0;
    private const int InvalidParameter = 100;
    private const int AccessTokenExpired = 190;
    private const int PermissionDenied = 10;
    private const int PermissionError = 200;
    private const int ThroughputReached = 130429;
    private const int PairRateLimit = 131056;
    private const int SpamRateLimit = 131048;
    private const int MarketingOptOut = 131050;
    private const int TemplateNotFound = 132001;
    private const int TemplatePaused = 132015;
    private const int TemplateDisabled = 132016;

    public static OutboundNotice Retrying(int? code, DateTimeOffset at) => new(RetryingStatus, code, code switch
    {
        ThroughputReached => PtBr.MetaRateLimited130429,
        PairRateLimit => PtBr.RetryingPairRate131056,
        _ => PtBr.RetryingMetaUnavailable,
    }, NextStep.AutomaticRetry, at);

    public static OutboundNotice Unconfirmed() => new(UnconfirmedStatus, null, PtBr.SendUnconfirmed, NextStep.CheckBeforeResending);

    public static OutboundNotice Held() => new(HeldStatus, null, PtBr.HeldForQualityAssessment, NextStep.WaitForMeta);

    /// <summary>Retryable refusals until the attempts ran out: sending again later may work.</summary>
    public static OutboundNotice GaveUp(int? code) =>
        new(FailedStatus, code, code == PairRateLimit ? PtBr.MetaPairRateLimited131056 : PtBr.GaveUpAfterRetries, NextStep.ResendMayHelp);

    /// <summary>A refusal that no retry fixes (answered to the send, or a <c>failed</c> status).</summary>
    public static OutboundNotice Failed(int? code, int? httpStatus = null)
    {
        if (IsConfigurationProblem(code, httpStatus))
        {
            return new(FailedStatus, code, PtBr.MetaAccessInvalid, NextStep.FixConfiguration);
        }

        return code switch
        {
            // A template that does not exist, is paused or disabled reads as "not approved, pick another" (P5).
            TemplateNotFound or TemplatePaused or TemplateDisabled => new(FailedStatus, code, PtBr.TemplateNotApproved, NextStep.ResendWillNotHelp),
            InvalidParameter => new(FailedStatus, code, PtBr.MetaInvalidParameter100, NextStep.ResendWillNotHelp),
            SpamRateLimit => new(FailedStatus, code, PtBr.MetaSpamRestricted131048, NextStep.ResendWillNotHelp),
            MarketingOptOut => new(FailedStatus, code, PtBr.MetaMarketingOptOut131050, NextStep.ResendWillNotHelp),
            131047 or 131026 or 132000 or 132012 => new(FailedStatus, code, PtBr.ForMetaError(code.Value), NextStep.ResendWillNotHelp),
            { } c => new(FailedStatus, c, PtBr.ForMetaError(c), NextStep.ResendMayHelp),
            null => new(FailedStatus, null, PtBr.MetaUnknownError, NextStep.ResendMayHelp),
        };
    }

    /// <summary>
    /// An expired or invalid access token (0, 190), missing permissions (10, 200), or a 401/403 without a code:
    /// the contact center's Meta access is misconfigured — an operator must act, retrying cannot help.
    /// </summary>
    public static bool IsConfigurationProblem(int? code, int? httpStatus) =>
        code is AuthFailure or AccessTokenExpired or PermissionDenied or PermissionError
        || (code is null && httpStatus is 401 or 403);

    /// <summary>The agent API's stable English name of a next step.</summary>
    public static string? ToWire(NextStep next) => next switch
    {
        NextStep.AutomaticRetry => "automatic_retry",
        NextStep.CheckBeforeResending => "check_before_resending",
        NextStep.WaitForMeta => "wait_for_meta",
        NextStep.ResendMayHelp => "resend_may_help",
        NextStep.ResendWillNotHelp => "resend_will_not_help",
        NextStep.FixConfiguration => "fix_configuration",
        _ => null,
    };

    public static NextStep FromWire(string? value) => value switch
    {
        "automatic_retry" => NextStep.AutomaticRetry,
        "check_before_resending" => NextStep.CheckBeforeResending,
        "wait_for_meta" => NextStep.WaitForMeta,
        "resend_may_help" => NextStep.ResendMayHelp,
        "resend_will_not_help" => NextStep.ResendWillNotHelp,
        "fix_configuration" => NextStep.FixConfiguration,
        _ => NextStep.None,
    };
}
