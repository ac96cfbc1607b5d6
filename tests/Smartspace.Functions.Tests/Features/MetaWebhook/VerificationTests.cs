using System.Net;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>P1: Meta's GET handshake echoes hub.challenge only for mode=subscribe with the right verify token.</summary>
public sealed class VerificationTests : IDisposable
{
    private const string Route = "/api/whatsapp/webhook";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P1_SubscribeWithRightToken_EchoesChallengeAsPlainText()
    {
        var response = await factory.CreateClient().GetAsync($"{Route}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={HandlerFactory.VerifyToken}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("1158201444", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("hub.mode=subscribe&hub.challenge=42&hub.verify_token=wrong-token")]
    [InlineData("hub.mode=subscribe&hub.challenge=42&hub.verify_token=test-verify-toke")]
    [InlineData("hub.mode=subscribe&hub.challenge=42&hub.verify_token=TEST-VERIFY-TOKEN")]
    [InlineData("hub.mode=unsubscribe&hub.challenge=42&hub.verify_token=test-verify-token")]
    [InlineData("hub.mode=SUBSCRIBE&hub.challenge=42&hub.verify_token=test-verify-token")]
    [InlineData("hub.challenge=42&hub.verify_token=test-verify-token")]
    [InlineData("hub.mode=subscribe&hub.challenge=42")]
    [InlineData("hub.mode=subscribe&hub.challenge=42&hub.verify_token=")]
    [InlineData("hub.mode=subscribe&hub.verify_token=test-verify-token")]
    [InlineData("")]
    public async Task P1_WrongTokenModeOrMissingParameter_Is403WithoutEcho(string query)
    {
        var response = await factory.CreateClient().GetAsync($"{Route}?{query}");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal("verification_failed", (string?)problem["code"]);
        problem.Remove("traceId"); // random hex that may contain "42"
        Assert.DoesNotContain("42", problem.ToJsonString(), StringComparison.Ordinal);
    }

    public void Dispose() => factory.Dispose();
}
