using Smartspace.Core.Media;

namespace Smartspace.Core.Tests.Media;

/// <summary>Meta's media limits (reference §12) and the inbound fetch's retry rule, pure (no mocks).</summary>
public sealed class MediaRulesTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("application/pdf", MediaKind.Document)]
    [InlineData("image/jpeg", MediaKind.Image)]
    [InlineData("audio/ogg; codecs=opus", MediaKind.Audio)]
    [InlineData("video/mp4", MediaKind.Video)]
    public void Media_OutboundKind_FollowsTheMimeType(string mime, MediaKind kind) => Assert.Equal(kind, MediaRules.OutboundKindOf(mime));

    [Theory]
    [InlineData("image/webp")] // stickers are not sent by agents
    [InlineData("application/x-msdownload")]
    [InlineData("image/gif")]
    public void Media_OutboundKind_IsNullForTypesMetaDoesNotTake(string mime) => Assert.Null(MediaRules.OutboundKindOf(mime));

    [Fact]
    public void Media_ImageOver5MB_IsTooLarge_AndAt5MBIsAccepted()
    {
        Assert.Equal(AttachmentProblemKind.TooLarge, MediaRules.CheckOutbound(MediaKind.Image, "image/png", 5 * 1024 * 1024 + 1, null)!.Kind);
        Assert.Null(MediaRules.CheckOutbound(MediaKind.Image, "image/png", 5 * 1024 * 1024, "legenda"));
    }

    [Fact]
    public void Media_AudioWithCaption_IsInvalid_DocumentUpTo100MB_IsAccepted()
    {
        Assert.Equal(AttachmentProblemKind.Invalid, MediaRules.CheckOutbound(MediaKind.Audio, "audio/mpeg", 10, "legenda")!.Kind);
        Assert.Null(MediaRules.CheckOutbound(MediaKind.Document, "application/pdf", 100 * 1024 * 1024, "boleto"));
        Assert.Equal(AttachmentProblemKind.TooLarge, MediaRules.CheckOutbound(MediaKind.Document, "application/pdf", 100 * 1024 * 1024 + 1, null)!.Kind);
        Assert.Equal(AttachmentProblemKind.Invalid, MediaRules.CheckOutbound(MediaKind.Document, "application/pdf", 0, null)!.Kind);
    }

    [Fact]
    public void Media_FileName_KeepsTheSendersNameWithoutPathParts_ElseStemAndExtension()
    {
        Assert.Equal("boleto.pdf", MediaRules.FileName(MediaKind.Document, "application/pdf", "../../boleto.pdf", "x"));
        Assert.Equal("abc-7.ogg", MediaRules.FileName(MediaKind.Audio, "audio/ogg; codecs=opus", null, "abc-7"));
    }

    [Fact]
    public void Media_GoneOrTooLarge_GivesUpAtOnce_NoRetry()
    {
        Assert.IsType<MediaFetchDecision.GiveUp>(MediaFetchRules.Decide(MediaFetchResult.Gone, 1, 0, Received, Received));
        Assert.IsType<MediaFetchDecision.GiveUp>(MediaFetchRules.Decide(MediaFetchResult.TooLarge, 1, 0, Received, Received));
    }

    [Fact]
    public void Media_Transient_RetriesSpacedOut_ThenGivesUpAfterTheLastAttempt()
    {
        var first = Assert.IsType<MediaFetchDecision.RetryAt>(MediaFetchRules.Decide(MediaFetchResult.Transient, 1, 0, Received, Received));
        Assert.Equal(Received + TimeSpan.FromSeconds(30), first.At);
        Assert.Equal(2, first.NextAttempt);
        var later = Assert.IsType<MediaFetchDecision.RetryAt>(MediaFetchRules.Decide(MediaFetchResult.Transient, 5, 0, Received, Received));
        Assert.Equal(Received + TimeSpan.FromHours(2), later.At);
        Assert.IsType<MediaFetchDecision.GiveUp>(MediaFetchRules.Decide(MediaFetchResult.Transient, MediaFetchRules.MaxAttempts, 0, Received, Received));
    }

    [Fact]
    public void Media_ChecksumMismatch_RetriesOnce_ThenGivesUp()
    {
        Assert.IsType<MediaFetchDecision.RetryAt>(MediaFetchRules.Decide(MediaFetchResult.ChecksumMismatch, 1, 1, Received, Received));
        var final = Assert.IsType<MediaFetchDecision.GiveUp>(MediaFetchRules.Decide(MediaFetchResult.ChecksumMismatch, 2, 2, Received, Received));
        Assert.Equal("checksum_mismatch", final.Reason);
    }

    [Fact]
    public void Media_RetryBeyondMetasSevenDayIdLifetime_GivesUpAsExpired()
    {
        var now = Received + TimeSpan.FromDays(7) - TimeSpan.FromSeconds(10);
        var decision = Assert.IsType<MediaFetchDecision.GiveUp>(MediaFetchRules.Decide(MediaFetchResult.Transient, 1, 0, Received, now));
        Assert.Equal("expired", decision.Reason);
        Assert.True(MediaFetchRules.Expired(Received, Received + TimeSpan.FromDays(7)));
        Assert.False(MediaFetchRules.Expired(Received, Received + TimeSpan.FromDays(7) - TimeSpan.FromMilliseconds(1)));
    }
}
