using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Tests.Options;

public sealed class WebPubSubOptionsValidatorTests
{
    [Fact]
    public void Defaults_WithEndpointAndKey_Valid()
    {
        var options = new WebPubSubOptions { Endpoint = "http://127.0.0.1:5080", AccessKey = new string('k', 32) };
        Assert.True(new WebPubSubOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal("agents", options.Hub);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ReconnectWindow);
        Assert.Equal(1000, options.MaxUnackedMessages);
        Assert.Equal(16L * 1024 * 1024, options.MaxBufferedBytes);
        Assert.Equal(TimeSpan.FromMinutes(60), options.TokenLifetime);
    }

    [Fact]
    public void EveryProblem_ReportedAtOnce()
    {
        var options = new WebPubSubOptions
        {
            Endpoint = "ftp://x",
            AccessKey = "short",
            Hub = "1bad-hub",
            EventHandlerUrl = "not a url",
            ReconnectWindow = TimeSpan.Zero,
            MaxUnackedMessages = 0,
            MaxBufferedBytes = -1,
            TokenLifetime = TimeSpan.Zero,
        };
        var result = new WebPubSubOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Equal(8, result.Failures!.Count());
    }
}
