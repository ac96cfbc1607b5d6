using Microsoft.AspNetCore.Http;
using Smartspace.Realtime.Events;

namespace Smartspace.Realtime.Tests.Events;

public sealed class WebPubSubEventValidatorTests
{
    private const string Primary = "primary-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    private const string Secondary = "secondary-key-0123456789-abcdefghijklmnopqrstuvw";

    [Fact]
    public void Signature_MatchesAnyKeyAndAnyEntry()
    {
        var validator = new WebPubSubEventValidator([Primary, Secondary]);
        var bySecondary = WebPubSubEventValidator.ComputeSignature(Secondary, "conn-1");
        Assert.True(validator.IsSignatureValid("conn-1", WebPubSubEventValidator.ComputeSignature(Primary, "conn-1")));
        Assert.True(validator.IsSignatureValid("conn-1", "sha256=00ff," + bySecondary));
        Assert.False(validator.IsSignatureValid("conn-2", bySecondary));
        Assert.False(validator.IsSignatureValid("conn-1", WebPubSubEventValidator.ComputeSignature("other-key-0123456789-abcdefghijklmnopqrstuvwxyz", "conn-1")));
        Assert.False(validator.IsSignatureValid("conn-1", null));
        Assert.False(validator.IsSignatureValid("conn-1", "sha256=not-hex"));
    }

    [Fact]
    public void Signature_IsHexHmacSha256OfConnectionId()
    {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog") — the RFC-style test vector
        Assert.Equal("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", WebPubSubEventValidator.ComputeSignature("key", "The quick brown fox jumps over the lazy dog"));
    }

    [Fact]
    public void TryParse_ReadsCloudEventHeaders_RejectsMissingOnes()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["ce-type"] = "azure.webpubsub.sys.connected";
        context.Request.Headers["ce-hub"] = "agents";
        context.Request.Headers["ce-connectionId"] = "c1";
        context.Request.Headers["ce-userId"] = "agent-1";
        context.Request.Headers["ce-eventName"] = "connected";
        context.Request.Headers["ce-signature"] = "sha256=ab";
        Assert.True(WebPubSubEventRequest.TryParse(context.Request, out var request));
        Assert.True(request.IsConnected);
        Assert.Equal("agent-1", request.UserId);

        context.Request.Headers.Remove("ce-connectionId");
        Assert.False(WebPubSubEventRequest.TryParse(context.Request, out _));
    }

    [Fact]
    public void AbuseProtection_AnswersOptionsWithAllowedOrigin()
    {
        var any = new WebPubSubEventValidator([Primary]);
        var context = new DefaultHttpContext();
        context.Request.Method = "OPTIONS";
        context.Request.Headers["WebHook-Request-Origin"] = "x.webpubsub.azure.com";
        Assert.True(any.TryHandleAbuseProtection(context));
        Assert.Equal(200, context.Response.StatusCode);
        Assert.Equal("*", context.Response.Headers["WebHook-Allowed-Origin"].ToString());

        var restricted = new WebPubSubEventValidator([Primary], ["y.webpubsub.azure.com"]);
        var refused = new DefaultHttpContext();
        refused.Request.Method = "OPTIONS";
        refused.Request.Headers["WebHook-Request-Origin"] = "x.webpubsub.azure.com";
        Assert.True(restricted.TryHandleAbuseProtection(refused));
        Assert.Equal(401, refused.Response.StatusCode);

        var post = new DefaultHttpContext();
        post.Request.Method = "POST";
        Assert.False(any.TryHandleAbuseProtection(post));
    }
}
