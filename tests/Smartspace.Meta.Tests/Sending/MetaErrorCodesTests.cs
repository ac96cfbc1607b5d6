using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Tests.Sending;

public sealed class MetaErrorCodesTests
{
    [Theory]
    [InlineData(131047)]
    [InlineData(131026)]
    [InlineData(131049)]
    [InlineData(131050)]
    [InlineData(132000)]
    [InlineData(132001)]
    [InlineData(132012)]
    [InlineData(132015)]
    [InlineData(132016)]
    [InlineData(0)]
    [InlineData(190)]
    public void P4_PermanentCodes_AreNotRetried(int code)
    {
        Assert.Same(RejectionKind.Permanent, MetaErrorCodes.Classify(code, 400, 0));
    }

    [Theory]
    [InlineData(130429)]
    [InlineData(131056)]
    [InlineData(131057)]
    [InlineData(131000)]
    public void R6_TransientCodes_RetryLater(int code)
    {
        Assert.IsType<RejectionKind.RetryLater>(MetaErrorCodes.Classify(code, 400, 0));
    }

    [Fact]
    public void R6_UnknownCodeOn5xx_RetryLater_UnknownCodeOn4xx_Permanent()
    {
        Assert.IsType<RejectionKind.RetryLater>(MetaErrorCodes.Classify(null, 503, 0));
        Assert.Same(RejectionKind.Permanent, MetaErrorCodes.Classify(100, 400, 0));
    }
}
