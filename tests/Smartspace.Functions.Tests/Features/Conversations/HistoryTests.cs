using System.Net;
using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// Five finished conversations, one closing every two hours (newest last):
/// c1 ana/João/duvida, c2 bruno/(number only)/venda, c3 ana/Maria/reclamacao, c4 bruno/João/duvida, c5 ana/(number only)/none.
/// The searches only read, so the class shares them.
/// </summary>
public sealed class HistoryFixture : IAsyncLifetime
{
    public HandlerFactory Factory { get; } = new();

    public DateTimeOffset Start { get; private set; }

    /// <summary>c1…c5 by index 1…5.</summary>
    public string[] Ids { get; } = new string[6];

    public async Task InitializeAsync()
    {
        var f = Factory;
        Start = f.Clock.GetUtcNow();

        Ids[1] = await ServeAsync("ana", Desk.Mobile(1), "João Silva", "duvida", "Segunda via do boleto", "Bom dia João");
        Ids[2] = await ServeAsync("bruno", Desk.Mobile(2), null, "venda", null, null);
        Ids[3] = await ServeAsync("ana", Desk.Mobile(3), "Maria Souza", "reclamacao", "Atraso", null);
        Ids[4] = await ServeAsync("bruno", Desk.Mobile(1), null, "duvida", null, "Olá de novo");
        Ids[5] = await ServeAsync("ana", Desk.Mobile(4), null, null, null, null);
    }

    /// <summary>Starts at the current hour, lets the customer reply when named, finishes one hour later, then moves past the next hour.</summary>
    private async Task<string> ServeAsync(string agentId, string typed, string? customerName, string? qualification, string? description, string? agentText)
    {
        var f = Factory;
        var agent = f.ClientFor(agentId);
        using var start = await agent.StartAsync(typed, Desk.Retomada());
        var body = await start.ReadJsonAsync();
        Assert.True(start.StatusCode is HttpStatusCode.Created, body.ToString());
        var id = body.ConversationId();
        if (customerName is not null)
        {
            await f.CustomerWritesAsync(typed, "wamid.hist." + id, body: "Resposta de " + customerName, name: customerName);
        }

        if (agentText is not null)
        {
            using var text = await agent.SendTextAsync(id, agentText);
            Assert.Equal(HttpStatusCode.Accepted, text.StatusCode);
        }

        f.Clock.Advance(TimeSpan.FromHours(1));
        await f.ClientFor(agentId).FinishOkAsync(id, qualification, description);
        f.Clock.Advance(TimeSpan.FromHours(1));
        return id;
    }

    public Task DisposeAsync()
    {
        Factory.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>History (R17): filters, paging newest first, messages, and who sees what.</summary>
public sealed class HistoryTests(HistoryFixture fixture) : IClassFixture<HistoryFixture>
{
    private HttpClient Supervisor => fixture.Factory.ClientFor("carla", role: AgentRole.Supervisor);

    private string At(double hours) => Uri.EscapeDataString((fixture.Start + TimeSpan.FromHours(hours)).ToString("O"));

    private async Task<List<string>> IdsAsync(HttpClient client, string query)
    {
        var page = await client.GetJsonAsync("/api/agent/history" + query);
        return page.GetProperty("items").EnumerateArray().Select(i => i.ConversationId()).ToList();
    }

    private List<string> C(params int[] indexes) => indexes.Select(i => fixture.Ids[i]).ToList();

    [Fact]
    public async Task R17_SupervisorSeesEveryFinishedConversation_NewestFirst() =>
        Assert.Equal(C(5, 4, 3, 2, 1), await IdsAsync(Supervisor, ""));

    [Theory]
    [InlineData("11987650001")]
    [InlineData("+55 (11) 98765-0001")]
    [InlineData("5511987650001")]
    [InlineData("551187650001")] // the 12-digit form an old account reports (P6)
    [InlineData("0001")] // the last digits, as the agent types them
    [InlineData("650001")]
    [InlineData("987650001")] // without the DDD
    [InlineData("98765-0001")]
    public async Task R17_SearchByCustomerNumber(string number) =>
        Assert.Equal(C(4, 1), await IdsAsync(Supervisor, "?number=" + Uri.EscapeDataString(number)));

    [Theory]
    [InlineData("João")]
    [InlineData("joão silva")]
    [InlineData("Silva")]
    [InlineData("joao")] // without accents
    [InlineData("JOAO SILVA")]
    [InlineData("  JOÃO ")]
    public async Task R17_SearchByCustomerName(string name) =>
        Assert.Equal(C(4, 1), await IdsAsync(Supervisor, "?name=" + Uri.EscapeDataString(name)));

    [Fact]
    public async Task R17_SearchByAgent() =>
        Assert.Equal(C(4, 2), await IdsAsync(Supervisor, "?agentId=bruno"));

    [Fact]
    public async Task R17_SearchByQualification() =>
        Assert.Equal(C(4, 1), await IdsAsync(Supervisor, "?qualificationId=duvida"));

    [Fact]
    public async Task R17_SearchByDateRange()
    {
        // c2 closes at +3 h, c3 at +5 h, c4 at +7 h.
        Assert.Equal(C(4, 3, 2), await IdsAsync(Supervisor, $"?from={At(2.5)}&to={At(7.5)}"));
        Assert.Equal(C(5, 4), await IdsAsync(Supervisor, $"?from={At(6.5)}"));
        Assert.Equal(C(1), await IdsAsync(Supervisor, $"?to={At(1.5)}"));
    }

    [Fact]
    public async Task R17_FiltersCombine() =>
        Assert.Equal(C(1), await IdsAsync(Supervisor, $"?agentId=ana&qualificationId=duvida&number={Desk.Mobile(1)}"));

    [Fact]
    public async Task R17_Paging_NewestFirstWithoutGapsOrRepeats()
    {
        var seen = new List<string>();
        string? token = null;
        for (var page = 0; page < 10; page++)
        {
            var query = "?pageSize=2" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var body = await Supervisor.GetJsonAsync("/api/agent/history" + query);
            var items = body.GetProperty("items").EnumerateArray().Select(i => i.ConversationId()).ToList();
            Assert.True(items.Count <= 2);
            seen.AddRange(items);
            token = body.GetProperty("continuationToken").ValueKind == JsonValueKind.String ? body.GetProperty("continuationToken").GetString() : null;
            if (token is null)
            {
                break;
            }
        }

        Assert.Null(token);
        Assert.Equal(C(5, 4, 3, 2, 1), seen);
    }

    [Fact]
    public async Task R17_ItemsCarryQualificationDescriptionAgentChannelTimesAndAllMessages()
    {
        var page = await Supervisor.GetJsonAsync("/api/agent/history?qualificationId=duvida&agentId=ana");
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        var conversation = item.GetProperty("conversation");

        Assert.Equal("duvida", conversation.GetProperty("qualificationId").GetString());
        Assert.Equal("Dúvida", conversation.GetProperty("qualificationName").GetString());
        Assert.Equal("Segunda via do boleto", conversation.GetProperty("description").GetString());
        Assert.Equal("ana", conversation.GetProperty("agentId").GetString());
        Assert.Equal(HandlerFactory.ChannelId, conversation.GetProperty("channelId").GetString());
        Assert.Equal("João Silva", conversation.GetProperty("customerName").GetString());
        Assert.Equal(fixture.Start, conversation.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(fixture.Start + TimeSpan.FromHours(1), conversation.GetProperty("closedAt").GetDateTimeOffset());
        var texts = item.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("direction").GetString(), m.GetProperty("kind").GetString(), m.GetProperty("text").GetString())).ToList();
        Assert.Equal(3, texts.Count);
        Assert.Contains(texts, t => t.Item1 == "out" && t.Item2 == "template");
        Assert.Contains(texts, t => t.Item1 == "in" && t.Item3 == "Resposta de João Silva");
        Assert.Contains(texts, t => t.Item1 == "out" && t.Item3 == "Bom dia João");
    }

    [Fact]
    public async Task R17_AgentSeesOnlyTheirOwn_AndAskingForAnotherIsRefused()
    {
        Assert.Equal(C(5, 3, 1), await IdsAsync(fixture.Factory.ClientFor("ana"), ""));
        Assert.Equal(C(5, 3, 1), await IdsAsync(fixture.Factory.ClientFor("ana"), "?agentId=ana"));
        var refused = await (await fixture.Factory.ClientFor("ana").GetAsync("/api/agent/history?agentId=bruno")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("own history", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(C(4, 2), await IdsAsync(fixture.Factory.ClientFor("bruno"), ""));
        Assert.Empty(await IdsAsync(fixture.Factory.ClientFor("diego", "outro"), ""));
    }

    [Theory]
    [InlineData("?pageSize=0")]
    [InlineData("?pageSize=101")]
    [InlineData("?pageSize=abc")]
    [InlineData("?from=ontem")]
    [InlineData("?to=2026-13-45")]
    [InlineData("?number=abc")]
    [InlineData("?number=123")] // too few digits to be a search
    [InlineData("?number=11%2Fabc")]
    [InlineData("?continuationToken=garbage")]
    public async Task R17_BadSearch_Is400WithAReason(string query)
    {
        using var response = await Supervisor.GetAsync("/api/agent/history" + query);
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task R17_FromAfterTo_Is400() =>
        await (await Supervisor.GetAsync($"/api/agent/history?from={At(5)}&to={At(1)}")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
}
