namespace Smartspace.Meta.Sending;

/// <summary>What the outbox should do after a send.</summary>
public abstract record RetryDecision
{
    private RetryDecision() { }

    /// <summary>Meta accepted the message: nothing to retry; statuses follow by webhook.</summary>
    public sealed record Done : RetryDecision;

    /// <summary>Send the same message again at <paramref name="At"/> as attempt <paramref name="NextAttempt"/>.</summary>
    public sealed record RetryAt(DateTimeOffset At, int NextAttempt) : RetryDecision;

    /// <summary>Stop: mark the message failed and show the agent the reason.</summary>
    public sealed record GiveUp(GiveUpReason Reason) : RetryDecision;

    /// <summary>
    /// The send may have gone through. Do not re-send; a status webhook carrying our
    /// <c>biz_opaque_callback_data</c> settles it. If none has arrived by <paramref name="Until"/>, treat the
    /// message as unconfirmed (show it to the agent as such) rather than sending it again automatically.
    /// </summary>
    public sealed record AwaitStatus(DateTimeOffset Until) : RetryDecision;
}

public enum GiveUpReason
{
    /// <summary>Meta refused it for a reason a re-send cannot fix.</summary>
    Permanent,

    /// <summary>Retryable, but the attempts are used up.</summary>
    MaxAttemptsReached,
}

/// <summary>
/// Pure retry rule for outbound sends (A-Frame): <c>Next(outcome, attempt, now)</c> → what to do and when.
/// <paramref name="MaxAttempts"/> counts every try including the first.
/// </summary>
public sealed record OutboundRetryPolicy(int MaxAttempts = 6, TimeSpan? AmbiguousStatusWait = null)
{
    public static readonly OutboundRetryPolicy Default = new();

    /// <summary>How long to wait for a status webhook after an ambiguous send. Default 10 minutes.</summary>
    public TimeSpan StatusWait => AmbiguousStatusWait ?? TimeSpan.FromMinutes(10);

    /// <param name="outcome">What the send produced.</param>
    /// <param name="attempt">0-based number of the attempt that produced <paramref name="outcome"/>.</param>
    /// <param name="now">The current time (the caller's clock).</param>
    public RetryDecision Next(SendOutcome outcome, int attempt, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        switch (outcome)
        {
            case SendOutcome.Accepted:
                return new RetryDecision.Done();
            case SendOutcome.Rejected { Kind: RejectionKind.AmbiguousKind }:
                return new RetryDecision.AwaitStatus(now + StatusWait);
            case SendOutcome.Rejected { Kind: RejectionKind.RetryLater } rejected:
                if (attempt + 1 >= MaxAttempts)
                {
                    return new RetryDecision.GiveUp(GiveUpReason.MaxAttemptsReached);
                }

                // Recomputed from the code and this attempt so the pacing (4^X for 131056) follows the caller's count.
                return new RetryDecision.RetryAt(now + MetaErrorCodes.RetryDelay(rejected.Code, attempt), attempt + 1);
            default:
                return new RetryDecision.GiveUp(GiveUpReason.Permanent);
        }
    }
}
