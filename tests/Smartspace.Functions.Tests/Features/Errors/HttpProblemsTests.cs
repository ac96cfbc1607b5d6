using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Errors;

/// <summary>
/// DESIGN "Errors": every 4xx of the agent API and the webhook is problem+json with a stable code and a clear
/// detail — also the ones the framework produces — never a .NET type name, binding message or storage limit,
/// and bad input changes nothing.
/// </summary>
public sealed class HttpProblemsTests : IDisposable
{
    private const int MaxBodyBytes = 4096;
    private readonly HandlerFactory factory = new(overrides: new Dictionary<string, string?> { ["AgentApi:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    [Theory]
    [InlineData("GET", "/api/agent/nao-existe", HttpStatusCode.NotFound, "not_found")]
    [InlineData("GET", "/api/nada", HttpStatusCode.NotFound, "not_found")]
    [InlineData("DELETE", "/api/agent/conversations", HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    [InlineData("PUT", "/api/whatsapp/webhook", HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    public async Task Errors_UnknownRouteOrWrongMethod_IsProblemJson(string method, string url, HttpStatusCode status, string code)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        using var response = await factory.ClientFor("ana").SendAsync(request);

        var problem = await response.AssertProblemAsync(status, code);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Theory]
    [InlineData("text/plain", "{\"number\":\"11987650001\"}")]
    [InlineData("application/x-www-form-urlencoded", "number=11987650001")]
    public async Task Errors_WrongMediaType_Is415ProblemJson_AndChangesNothing(string mediaType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, mediaType);
        using var response = await factory.ClientFor("ana").PostAsync(Desk.Conversations, content);

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Theory]
    [InlineData("{\"number\":11987654321}", "$.number")]
    [InlineData("{\"number\":\"11987650001\",\"template\":\"retomada\"}", "$.template")]
    [InlineData("[]", null)]
    [InlineData("{\"number\":", null)]
    [InlineData("null", null)]
    [InlineData("", null)]
    public async Task Errors_MalformedWronglyTypedOrEmptyJson_Is400WithoutDotNetNames(string json, string? path)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await factory.ClientFor("ana").PostAsync(Desk.Conversations, content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        var text = problem.GetRawText();
        AssertNoInternals(text);
        if (path is not null)
        {
            Assert.Contains(path, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Theory]
    [InlineData("/api/agent/conversations/x?afterVersion=abc", "afterVersion")]
    [InlineData("/api/agent/history?pageSize=muitos", "pageSize")]
    [InlineData("/api/agent/history?from=ontem", "from")]
    public async Task Errors_BadQueryValue_Is400NamingTheParameter(string url, string parameter)
    {
        using var response = await factory.ClientFor("ana").GetAsync(url);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.Contains(parameter, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        AssertNoInternals(problem.GetRawText());
    }

    [Fact]
    public async Task BodyLimit_AgentApiBodyOverTheLimit_Is413BeforeItIsRead()
    {
        var json = JsonSerializer.Serialize(new { number = Desk.Mobile(1), template = Desk.Retomada(new string('M', MaxBodyBytes)) });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await factory.ClientFor("ana").PostAsync(Desk.Conversations, content);

        var problem = await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Contains(MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
        Assert.Empty(factory.Sender.Requests);
    }

    [Fact]
    public async Task BodyLimit_ChunkedBodyOverTheLimit_Is413()
    {
        var json = JsonSerializer.Serialize(new { number = Desk.Mobile(2), template = Desk.Retomada(new string('M', MaxBodyBytes)) });
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Desk.Conversations) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await factory.ClientFor("ana").SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task BodyLimit_TheWebhookKeepsItsOwnLargerLimit()
    {
        var text = new string('a', MaxBodyBytes * 2);
        await factory.CustomerWritesAsync(Desk.Mobile(3), "wamid.large.1", body: text);

        Assert.NotNull(await factory.CustomerOfAsync(Desk.Mobile(3)));
    }

    [Theory]
    [InlineData(2000)]
    [InlineData(20_000)]
    public async Task Errors_IdTooLongForTheStore_IsSimplyNotFound(int length)
    {
        var id = new string('a', length);
        var ana = factory.ClientFor("ana");

        await (await ana.GetAsync($"{Desk.Conversations}/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found", PtBr.ConversationNotFound);
        await (await ana.FinishAsync(id)).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
        await (await ana.GetAsync($"/api/agent/channels/{id[..1500]}/templates")).AssertProblemAsync(HttpStatusCode.NotFound, "channel_not_found");
    }

    [Fact]
    public async Task Errors_IdWithCharactersTheStoreForbids_IsSimplyNotFound()
    {
        var ana = factory.ClientFor("ana");
        await (await ana.GetAsync($"{Desk.Conversations}/a%23b")).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
        await (await ana.GetAsync($"{Desk.Conversations}/a%3Fb")).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
    }

    [Theory]
    [InlineData("not json", "invalid_payload")]
    [InlineData("", "invalid_payload")]
    public async Task Errors_WebhookRefusals_AreProblemJsonWithACode(string body, string code)
    {
        using var response = await factory.PostWebhookAsync(body);
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task Errors_WebhookBadSignature_IsProblemJsonWithACode()
    {
        using var response = await factory.PostWebhookAsync(Encoding.UTF8.GetBytes("{}"), "sha256=00");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "signature_invalid");
    }

    /// <summary>No .NET type or namespace, no binding jargon, no storage limit in what a client reads.</summary>
    private static void AssertNoInternals(string text)
    {
        foreach (var leak in new[] { "Smartspace.", "System.", "Request", "parameter \"", "LineNumber", "PartitionKey", "RowKey", "1024", "Azure" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }
    }

    public void Dispose() => factory.Dispose();
}
