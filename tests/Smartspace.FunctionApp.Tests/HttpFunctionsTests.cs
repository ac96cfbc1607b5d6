using System.Net;
using System.Text.Json;
using Smartspace.FunctionApp.Tests.Infrastructure;
using Smartspace.WorkerHost;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.FunctionApp.Tests;

/// <summary>The HTTP functions through the host's path: InvocationRequest + the request forwarded to the worker.</summary>
[Collection(FunctionAppCollection.Name)]
public sealed class HttpFunctionsTests(FunctionAppFixture fixture)
{
    private const string ChannelId = "100200300400500"; // the seeded demo channel

    [Fact]
    public async Task Health_Returns200()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/health"));

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal("health", result.Invocation.Function.Name);
        Assert.Equal(StatusResult.Types.Status.Success, result.Invocation.Status);
    }

    [Fact]
    public async Task Health_Head_Returns200WithoutBody()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Head, "/api/health"));

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Empty(result.BodyBytes);
    }

    [Fact]
    public async Task OpenApi_RouteParameter_ServesTheDocument()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/openapi/v1.json"));

        Assert.Equal("openapi", result.Invocation.Function.Name);
        Assert.True(result.StatusCode == HttpStatusCode.OK, result + " " + result.Body);
        using var document = JsonDocument.Parse(result.Body);
        Assert.True(document.RootElement.TryGetProperty("openapi", out _), result.Body[..Math.Min(200, result.Body.Length)]);
    }

    [Fact]
    public async Task Negotiate_WithoutToken_Returns401()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Post, "/api/negotiate"));

        Assert.Equal("negotiate", result.Invocation.Function.Name);
        Assert.Equal(HttpStatusCode.Unauthorized, result.StatusCode);
    }

    [Fact]
    public async Task P1_WebhookVerification_RightToken_EchoesTheChallenge()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get,
            $"/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token={TestSecrets.VerifyToken}&hub.challenge=1158201444"));

        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
        Assert.Equal("1158201444", result.Body);
    }

    [Fact]
    public async Task P1_WebhookVerification_WrongToken_Refused403()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get,
            "/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=not-the-token&hub.challenge=1158201444"));

        Assert.Equal(HttpStatusCode.Forbidden, result.StatusCode);
        Assert.DoesNotContain("1158201444", result.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task P2_SignedWebhookMessage_Returns200_AndTheMessageIsVisibleToTheSupervisor()
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var from = "55119" + Random.Shared.Next(10000000, 99999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var text = "Oi, preciso de ajuda " + unique;

        var webhook = await fixture.PostWebhookAsync(WebhookPayloads.Text(ChannelId, from, "wamid.WH" + unique, DateTimeOffset.UtcNow.AddSeconds(-5), text, "Cliente " + unique));
        Assert.True(webhook.StatusCode == HttpStatusCode.OK, webhook + " " + webhook.Body);
        Assert.Equal(StatusResult.Types.Status.Success, webhook.Invocation.Status); // its durableClient input bound too

        // The customer's entity places the staged message shortly after the 200.
        var conversation = await fixture.WaitForConversationAsync("Cliente " + unique);

        var detail = await fixture.AgentGetAsync("/api/agent/conversations/" + Uri.EscapeDataString(conversation), "carla", "supervisor");
        Assert.True(detail.StatusCode == HttpStatusCode.OK, detail + " " + detail.Body);
        Assert.Contains(text, detail.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task P3_SameWamidDeliveredTwice_StoredOnce()
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var text = "duplicada " + unique;
        var json = WebhookPayloads.Text(ChannelId, "55119" + Random.Shared.Next(10000000, 99999999).ToString(System.Globalization.CultureInfo.InvariantCulture), "wamid.DUP" + unique, DateTimeOffset.UtcNow.AddSeconds(-5), text, "Duplicada " + unique);

        Assert.Equal(HttpStatusCode.OK, (await fixture.PostWebhookAsync(json)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await fixture.PostWebhookAsync(json)).StatusCode);

        var conversation = await fixture.WaitForConversationAsync("Duplicada " + unique);
        var wamid = System.Text.RegularExpressions.Regex.Escape("wamid.DUP" + unique);
        var detail = await fixture.AgentGetAsync("/api/agent/conversations/" + Uri.EscapeDataString(conversation), "carla", "supervisor");
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(detail.Body, wamid));
        // The second delivery's signal may be taken after the first placement: once settled, still one.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var settled = await fixture.AgentGetAsync("/api/agent/conversations/" + Uri.EscapeDataString(conversation), "carla", "supervisor");
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(settled.Body, wamid));
    }

    [Fact]
    public async Task P2_WrongSignature_Returns401_AndStoresNothing()
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        var json = WebhookPayloads.Text(ChannelId, "5511988887777", "wamid.BAD" + unique, DateTimeOffset.UtcNow, "forjado " + unique, "Forjado " + unique);

        var webhook = await fixture.PostWebhookAsync(json, signature: TestSecrets.MetaSignature(System.Text.Encoding.UTF8.GetBytes(json), "some-other-secret"));

        Assert.Equal(HttpStatusCode.Unauthorized, webhook.StatusCode);
        var list = await fixture.AgentGetAsync("/api/agent/conversations", "carla", "supervisor");
        Assert.Null(FunctionAppFixture.FindByCustomerName(list.Body, "Forjado " + unique));
    }

    [Fact]
    public async Task AgentApi_WithoutToken_Returns401ProblemJson()
    {
        var result = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/agent/conversations"));

        Assert.Equal(HttpStatusCode.Unauthorized, result.StatusCode);
        Assert.True(result.ContentType == "application/problem+json", $"{result} headers: {result.Response.Headers} body: '{result.Body}'");
        using var problem = JsonDocument.Parse(result.Body);
        Assert.Equal(401, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("agent-api", result.Invocation.Function.Name);
    }

    [Fact]
    public async Task AgentApi_WithToken_ServesTheCaller()
    {
        var result = await fixture.AgentGetAsync("/api/agent/me", "ana", "agent");

        Assert.True(result.StatusCode == HttpStatusCode.OK, result + " " + result.Body);
        Assert.Contains("ana", result.Body, StringComparison.Ordinal);
    }

    /// <summary>The error handling of the shared pipeline holds through the worker too: an unknown agent route and a wrong media type are problem+json with a code.</summary>
    [Fact]
    public async Task Errors_UnknownAgentRouteAndWrongMediaType_AreProblemJsonThroughTheWorker()
    {
        var unknown = await fixture.AgentGetAsync("/api/agent/nao-existe", "ana", "agent");
        AssertProblem(unknown, HttpStatusCode.NotFound, "not_found");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/agent/conversations") { Content = new StringContent("number=11987650001", System.Text.Encoding.UTF8, "text/plain") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestSecrets.AgentToken("ana", "agent"));
        var wrongMedia = await fixture.Host.SendHttpAsync(request);
        AssertProblem(wrongMedia, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Equal("agent-api", wrongMedia.Invocation.Function.Name);
    }

    private static void AssertProblem(HttpInvocationResult result, HttpStatusCode status, string code)
    {
        Assert.True(result.StatusCode == status, $"{result} body: '{result.Body}'");
        Assert.True(result.ContentType == "application/problem+json", $"{result} body: '{result.Body}'");
        using var problem = JsonDocument.Parse(result.Body);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }
}
