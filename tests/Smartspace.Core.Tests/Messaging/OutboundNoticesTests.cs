using Smartspace.Core.Messaging;
using Smartspace.Core.Text;

namespace Smartspace.Core.Tests.Messaging;

/// <summary>Every outbound state the agent sees says what happened and what happens next (issue 18), with no mocks.</summary>
public sealed class OutboundNoticesTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 24, 12, 0, 1, TimeSpan.Zero);

    [Theory]
    [InlineData(130429, PtBr.MetaRateLimited130429)]
    [InlineData(131056, PtBr.RetryingPairRate131056)]
    [InlineData(131000, PtBr.RetryingMetaUnavailable)]
    [InlineData(null, PtBr.RetryingMetaUnavailable)]
    public void P3_Retrying_SaysTheReasonAndThatItIsAutomatic(int? code, string text)
    {
        var notice = OutboundNotices.Retrying(code, At);

        Assert.Equal(new OutboundNotice("retrying", code, text, NextStep.AutomaticRetry, At), notice);
        Assert.Contains("automaticamente", notice.Text, StringComparison.Ordinal);
        Assert.Equal("automatic_retry", OutboundNotices.ToWire(notice.Next));
    }

    [Fact]
    public void P3_Unconfirmed_SaysMetaMayHaveDeliveredIt_NotTryAgain()
    {
        var notice = OutboundNotices.Unconfirmed();

        Assert.Equal("unconfirmed", notice.Status);
        Assert.Equal(NextStep.CheckBeforeResending, notice.Next);
        Assert.Equal(PtBr.SendUnconfirmed, notice.Text);
        Assert.DoesNotContain("Tente novamente", notice.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void P5_HeldForQualityAssessment_IsItsOwnState()
    {
        Assert.Equal(new OutboundNotice("held", null, PtBr.HeldForQualityAssessment, NextStep.WaitForMeta), OutboundNotices.Held());
    }

    [Theory]
    [InlineData(190, null)]
    [InlineData(0, null)]
    [InlineData(10, 403)]
    [InlineData(200, 403)]
    [InlineData(null, 401)]
    [InlineData(null, 403)]
    public void P3_ExpiredOrInvalidToken_IsAConfigurationProblem_NotTryAgain(int? code, int? httpStatus)
    {
        var notice = OutboundNotices.Failed(code, httpStatus);

        Assert.Equal(new OutboundNotice("failed", code, PtBr.MetaAccessInvalid, NextStep.FixConfiguration), notice);
        Assert.True(OutboundNotices.IsConfigurationProblem(code, httpStatus));
    }

    [Theory]
    [InlineData(100, PtBr.MetaInvalidParameter100)]
    [InlineData(131047, PtBr.MetaReengagement131047)]
    [InlineData(131026, PtBr.MetaUndeliverable131026)]
    [InlineData(132000, PtBr.MetaTemplateParams132000)]
    [InlineData(132012, PtBr.MetaTemplateFormat132012)]
    [InlineData(132001, PtBr.TemplateNotApproved)]
    [InlineData(132015, PtBr.TemplateNotApproved)]
    [InlineData(132016, PtBr.TemplateNotApproved)]
    [InlineData(131048, PtBr.MetaSpamRestricted131048)]
    [InlineData(131050, PtBr.MetaMarketingOptOut131050)]
    public void P3_FailedForGood_WhereARetryCannotHelp_DoesNotSayTryAgain(int code, string text)
    {
        var notice = OutboundNotices.Failed(code, 400);

        Assert.Equal(new OutboundNotice("failed", code, text, NextStep.ResendWillNotHelp), notice);
        Assert.DoesNotContain("Tente novamente", notice.Text, StringComparison.Ordinal);
        Assert.False(OutboundNotices.IsConfigurationProblem(code, 400));
    }

    [Theory]
    [InlineData(131049, PtBr.MetaEcosystem131049)]
    [InlineData(999999, PtBr.MetaUnknownError)]
    [InlineData(null, PtBr.MetaUnknownError)]
    public void P3_FailedForGood_WhereALaterRetryMayHelp_SaysSo(int? code, string text) =>
        Assert.Equal(new OutboundNotice("failed", code, text, NextStep.ResendMayHelp), OutboundNotices.Failed(code, 400));

    [Theory]
    [InlineData(130429, PtBr.GaveUpAfterRetries)]
    [InlineData(null, PtBr.GaveUpAfterRetries)]
    [InlineData(131056, PtBr.MetaPairRateLimited131056)]
    public void P3_GaveUpAfterAutomaticRetries_NoLongerPromisesAResend(int? code, string text)
    {
        var notice = OutboundNotices.GaveUp(code);

        Assert.Equal(new OutboundNotice("failed", code, text, NextStep.ResendMayHelp), notice);
        Assert.DoesNotContain("reenviada", notice.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void P3_NextStep_WireNamesRoundTrip()
    {
        foreach (var next in Enum.GetValues<NextStep>())
        {
            Assert.Equal(next, OutboundNotices.FromWire(OutboundNotices.ToWire(next)));
        }

        Assert.Null(OutboundNotices.ToWire(NextStep.None));
    }
}
