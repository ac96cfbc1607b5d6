using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Tests.Sending;

public sealed class OutboundRetryPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 2, 0, 0, TimeSpan.Zero);

    private static SendOutcome.Rejected Rejected(int? code, RejectionKind kind, int? http = 400) => new(code, "t", null, http, kind);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 4)]
    [InlineData(2, 16)]
    [InlineData(3, 64)]
    [InlineData(4, 256)]
    public void R6_PairRateLimit131056_PacesFourToTheAttempt(int attempt, int seconds)
    {
        var decision = OutboundRetryPolicy.Default.Next(
            Rejected(MetaErrorCodes.PairRateLimit, new RejectionKind.RetryLater(TimeSpan.FromSeconds(1))), attempt, Now);

        var retry = Assert.IsType<RetryDecision.RetryAt>(decision);
        Assert.Equal(Now + TimeSpan.FromSeconds(seconds), retry.At);
        Assert.Equal(attempt + 1, retry.NextAttempt);
    }

    [Fact]
    public void R6_RetryLater_GivesUpAfterMaxAttempts()
    {
        var policy = new OutboundRetryPolicy(MaxAttempts: 3);
        var outcome = Rejected(MetaErrorCodes.ThroughputReached, new RejectionKind.RetryLater(TimeSpan.FromSeconds(2)));

        Assert.IsType<RetryDecision.RetryAt>(policy.Next(outcome, 1, Now));
        Assert.Equal(new RetryDecision.GiveUp(GiveUpReason.MaxAttemptsReached), policy.Next(outcome, 2, Now));
    }

    [Fact]
    public void R6_Ambiguous_IsNeverResent_ButAwaitsStatusWebhook()
    {
        var decision = OutboundRetryPolicy.Default.Next(Rejected(null, RejectionKind.Ambiguous, null), 0, Now);

        Assert.Equal(new RetryDecision.AwaitStatus(Now + TimeSpan.FromMinutes(10)), decision);
    }

    [Fact]
    public void P4_Permanent131047_GivesUp()
    {
        var decision = OutboundRetryPolicy.Default.Next(Rejected(MetaErrorCodes.ReEngagement, RejectionKind.Permanent), 0, Now);

        Assert.Equal(new RetryDecision.GiveUp(GiveUpReason.Permanent), decision);
    }

    [Fact]
    public void R6_Accepted_IsDone()
    {
        Assert.IsType<RetryDecision.Done>(OutboundRetryPolicy.Default.Next(new SendOutcome.Accepted("wamid.A", "55", null), 0, Now));
    }

    [Fact]
    public void R6_Delays_AreCapped()
    {
        var decision = OutboundRetryPolicy.Default with { MaxAttempts = 50 };

        var retry = Assert.IsType<RetryDecision.RetryAt>(decision.Next(
            Rejected(MetaErrorCodes.PairRateLimit, new RejectionKind.RetryLater(TimeSpan.Zero)), 20, Now));

        Assert.Equal(Now + MetaErrorCodes.MaxRetryDelay, retry.At);
    }
}
