using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Smartspace.Core.Conversations;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>Who may see and act on what (tenant isolation, ownership), unknown ids, and bad input: never a 500.</summary>
public sealed class AgentApiAccessTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task Tenant_AgentOfAnotherContactCenter_CannotSeeOrActOnItsConversations()
    {
        var id = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada())).ConversationId();
        var diego = factory.ClientFor("diego", "outro");

        await (await diego.GetAsync($"{Desk.Conversations}/{id}")).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found", PtBr.ConversationNotFound);
        await (await diego.SendTextAsync(id, "oi")).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
        await (await diego.SendTemplateAsync(id, Desk.Confirmacao())).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
        await (await diego.FinishAsync(id)).AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
        await (await diego.GetAsync($"/api/agent/channels/{HandlerFactory.ChannelId}/templates")).AssertProblemAsync(HttpStatusCode.NotFound, "channel_not_found");
        await (await diego.PostJsonAsync($"/api/agent/channels/{HandlerFactory.ChannelId}/templates/preview", Desk.Confirmacao())).AssertProblemAsync(HttpStatusCode.NotFound, "channel_not_found");
        var mine = await diego.GetJsonAsync(Desk.Conversations);
        Assert.Empty(mine.GetProperty("conversations").EnumerateArray());

        // A supervisor token for a contact center the agent is not registered in is refused outright.
        var outsider = factory.ClientFor("carla", "outro", AgentRole.Supervisor);
        await (await outsider.GetAsync($"{Desk.Conversations}/{id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(ConversationStage.AwaitingReply, (await factory.ConversationAsync(id))!.Stage);
    }

    [Fact]
    public async Task Ownership_AnotherAgentCannotReadAConversation_ASupervisorCan()
    {
        var id = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(2), Desk.Retomada())).ConversationId();

        await (await factory.ClientFor("bruno").GetAsync($"{Desk.Conversations}/{id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden", PtBr.Forbidden);
        await factory.ClientFor("carla", role: AgentRole.Supervisor).GetJsonAsync($"{Desk.Conversations}/{id}");

        var anaList = await factory.ClientFor("ana").GetJsonAsync(Desk.Conversations);
        Assert.Equal([id], anaList.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        var brunoList = await factory.ClientFor("bruno").GetJsonAsync(Desk.Conversations);
        Assert.Empty(brunoList.GetProperty("conversations").EnumerateArray());
        var supervisorList = await factory.ClientFor("carla", role: AgentRole.Supervisor).GetJsonAsync(Desk.Conversations);
        Assert.Contains(supervisorList.GetProperty("conversations").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
    }

    [Theory]
    [InlineData("GET", "/api/agent/conversations/0198c0de00007000800000000000dead")]
    [InlineData("POST", "/api/agent/conversations/0198c0de00007000800000000000dead/messages")]
    [InlineData("POST", "/api/agent/conversations/0198c0de00007000800000000000dead/templates")]
    [InlineData("POST", "/api/agent/conversations/0198c0de00007000800000000000dead/finish")]
    [InlineData("POST", "/api/agent/conversations/nao-existe/finish")]
    public async Task UnknownConversation_Is404(string method, string url)
    {
        object body = url.EndsWith("/messages", StringComparison.Ordinal) ? new { text = "oi" }
            : url.EndsWith("/templates", StringComparison.Ordinal) ? new { template = Desk.Confirmacao() }
            : new { };
        using var response = method == "GET" ? await factory.ClientFor("ana").GetAsync(url) : await factory.ClientFor("ana").PostJsonAsync(url, body);
        await response.AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found", PtBr.ConversationNotFound);
    }

    [Fact]
    public async Task UnknownChannel_Is404() =>
        await (await factory.ClientFor("ana").GetAsync("/api/agent/channels/123/templates")).AssertProblemAsync(HttpStatusCode.NotFound, "channel_not_found");

    [Theory]
    [InlineData("/api/agent/conversations", "{\"number\":")] // truncated
    [InlineData("/api/agent/conversations", "not json")]
    [InlineData("/api/agent/conversations", "{\"number\":11987654321}")] // number must be a string
    [InlineData("/api/agent/conversations", "{\"number\":\"11987650001\",\"template\":\"retomada\"}")]
    [InlineData("/api/agent/conversations", "{\"number\":\"11987650001\",\"template\":{\"name\":\"retomada_atendimento\",\"language\":\"pt_BR\",\"body\":\"Maria\"}}")]
    [InlineData("/api/agent/conversations", "[]")]
    [InlineData("/api/agent/numbers/check", "{\"number\":[1]}")]
    [InlineData("/api/agent/me/status", "{\"available\":\"sim\"}")]
    [InlineData("/api/agent/me/status", "{}")] // found by the fuzz test: a missing value used to mean "unavailable"
    [InlineData("/api/agent/conversations/x/messages", "{\"text\":42}")]
    [InlineData("/api/agent/conversations/x/messages", "{}")]
    [InlineData("/api/agent/conversations/x/finish", "{\"qualificationId\":{}}")]
    [InlineData("/api/agent/conversations/x/templates", "{}")]
    [InlineData("/api/agent/channels/100200300400500/templates/preview", "{\"name\":\"\",\"language\":\"pt_BR\"}")]
    public async Task BadInput_Is400WithAReason_NeverA500(string url, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await factory.ClientFor("ana").PostAsync(url, content);
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("reason").GetString()));
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task BadInput_NegativeOrNonNumericAfterVersion_Is400()
    {
        var id = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(3), Desk.Retomada())).ConversationId();
        var ana = factory.ClientFor("ana");

        await (await ana.GetAsync($"{Desk.Conversations}/{id}?afterVersion=-1")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await ana.GetAsync($"{Desk.Conversations}/{id}?afterVersion=abc")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task BadInput_OversizedText_Is400()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(4), "wamid.big.1");
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(4))).ConversationId();

        await (await ana.SendTextAsync(id, new string('a', 4097))).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        await (await ana.FinishAsync(id, null, new string('d', 4001))).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Auth_WithoutOrWithABadOrExpiredToken_Is401ProblemWithTheChallenge()
    {
        using var anonymous = factory.CreateClient();
        using (var response = await anonymous.PostJsonAsync(Desk.Conversations, new { number = Desk.Mobile(5) }))
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            Assert.Equal("A valid bearer token is required.", problem.GetProperty("detail").GetString());
            Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        }

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        using (var response = await anonymous.GetAsync(Desk.Conversations))
        {
            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            Assert.Contains("invalid_token", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        }

        var expiring = factory.Get<AgentTokenIssuer>().Issue(HandlerFactory.TenantId, "ana", AgentRole.Agent, TimeSpan.FromMinutes(5));
        factory.Clock.Advance(TimeSpan.FromHours(1));
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expiring);
        using (var response = await anonymous.GetAsync(Desk.Conversations))
        {
            var problem = await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            Assert.Contains("expired", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Null(await factory.CustomerOfAsync(Desk.Mobile(5)));
    }

    [Theory]
    [InlineData("11999999999", "valid", "+5511999999999", "mobile", null)]
    [InlineData("(11)999999999", "valid", "+5511999999999", "mobile", null)]
    [InlineData("+55 11 99999-9999", "valid", "+5511999999999", "mobile", null)]
    [InlineData("1133334444", "valid", "+551133334444", "landline", null)]
    [InlineData("1199999999", "incomplete", null, "mobile", null)] // a mobile still being typed shows no R3 text
    [InlineData("11 9", "incomplete", null, "mobile", null)]
    [InlineData("119999999999", "invalid", null, "mobile", PtBr.InvalidNumber)]
    [InlineData("11888887777", "invalid", null, "mobile", PtBr.InvalidNumber)]
    [InlineData("20999999999", "invalid", null, null, PtBr.InvalidNumber)]
    [InlineData("113333444", "incomplete", null, "landline", null)]
    [InlineData("11333344445", "invalid", null, "landline", PtBr.InvalidNumber)]
    [InlineData("", "incomplete", null, null, null)]
    public async Task R2_R3_R4_R5_NumberCheck_Verdicts(string typed, string state, string? e164, string? kind, string? error)
    {
        var verdict = await (await factory.ClientFor("ana").PostJsonAsync("/api/agent/numbers/check", new { number = typed })).ReadJsonAsync();

        Assert.Equal(state, verdict.GetProperty("state").GetString());
        Assert.Equal(state == "valid", verdict.GetProperty("valid").GetBoolean());
        Assert.Equal(state == "valid", verdict.GetProperty("canCreate").GetBoolean()); // R5: "+Criar Conversa" only when valid
        Assert.Equal(state != "incomplete", verdict.GetProperty("complete").GetBoolean());
        Assert.Equal(e164, verdict.GetProperty("e164").GetString());
        if (kind is not null)
        {
            Assert.Equal(kind, verdict.GetProperty("kind").GetString());
        }

        Assert.Equal(error, verdict.GetProperty("error").GetString());
    }

    /// <summary>R3 for complete input is unchanged: starting with a mobile one digit short is refused with R3's text.</summary>
    [Fact]
    public async Task R3_StartWithAnIncompleteMobile_IsRefusedWithTheText() =>
        await (await factory.ClientFor("ana").StartAsync("1199999999", Desk.Retomada())).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_number", PtBr.InvalidNumber);

    public void Dispose() => factory.Dispose();
}
