using System.Net;
using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Core.Text;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>"Nova Conversa" through the agent API on the real host (R1, R5–R7, R10–R14).</summary>
public sealed class StartConversationTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task R1_SingleChannel_IsPreselectedAndChannelIdIsOptional()
    {
        var ana = factory.ClientFor("ana");

        var channels = await ana.GetJsonAsync("/api/agent/channels");
        Assert.Equal(HandlerFactory.ChannelId, channels.GetProperty("preselectedChannelId").GetString());
        Assert.Single(channels.GetProperty("channels").EnumerateArray());

        var started = await ana.StartCreatedAsync(Desk.Mobile(1), Desk.Retomada());
        Assert.Equal(HandlerFactory.ChannelId, started.GetProperty("conversation").GetProperty("channelId").GetString());

        var explicitChannel = await ana.StartCreatedAsync(Desk.Mobile(2), Desk.Retomada(), HandlerFactory.ChannelId);
        Assert.Equal(HandlerFactory.ChannelId, explicitChannel.GetProperty("conversation").GetProperty("channelId").GetString());
    }

    [Fact]
    public async Task R1_UnknownOrForeignChannel_IsRefusedAsNotFound()
    {
        var ana = factory.ClientFor("ana");

        await (await ana.StartAsync(Desk.Mobile(1), Desk.Retomada(), "999999999999999")).AssertProblemAsync(HttpStatusCode.NotFound, "channel_not_found", PtBr.ChannelNotFound);
        await (await ana.StartAsync(Desk.Mobile(1), Desk.Retomada(), HandlerFactory.OtherTenantChannelId)).AssertProblemAsync(HttpStatusCode.NotFound, "channel_not_found");
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1199999999")] // mobile with 10 digits (R3)
    [InlineData("113333444")] // landline still incomplete (R4)
    [InlineData("20999999999")] // DDD 20 does not exist (R4)
    [InlineData("abc")]
    public async Task R5_StartWithInvalidNumber_IsRefusedWithPtBrText(string typed)
    {
        var ana = factory.ClientFor("ana");

        await (await ana.StartAsync(typed, Desk.Retomada())).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_number", PtBr.InvalidNumber);
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R5_StartWithoutNumber_IsRefused()
    {
        using var response = await factory.ClientFor("ana").PostJsonAsync(Desk.Conversations, new { template = Desk.Retomada() });
        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_number", PtBr.InvalidNumber);
    }

    [Fact]
    public async Task R6_WindowOpen_OpensAtOnceWithFreeTextAndTheLastConversationsHistory()
    {
        // The customer wrote; the queue gave the conversation to ana, who finished it.
        await factory.CustomerWritesAsync(Desk.Mobile(7), "wamid.R6.1", body: "Meu pedido não chegou");
        var earlier = (await factory.CustomerOfAsync(Desk.Mobile(7)))!.CurrentConversationId!;
        Assert.Equal("ana", (await factory.ConversationAsync(earlier))!.AgentId);
        await factory.ClientFor("ana").FinishOkAsync(earlier);

        var bruno = factory.ClientFor("bruno");
        var started = await bruno.StartCreatedAsync(Desk.Mobile(7));

        Assert.Equal("open", started.Stage());
        Assert.True(started.GetProperty("windowOpen").GetBoolean());
        Assert.False(started.GetProperty("conversation").GetProperty("awaitingCustomerReply").GetBoolean());
        Assert.Equal(earlier, started.GetProperty("lastConversation").GetProperty("id").GetString());
        Assert.Contains(started.GetProperty("lastConversationMessages").EnumerateArray(), m => m.GetProperty("text").GetString() == "Meu pedido não chegou");

        using var text = await bruno.SendTextAsync(started.ConversationId(), "Olá! Vou verificar seu pedido.");
        Assert.Equal(HttpStatusCode.Accepted, text.StatusCode);
    }

    [Fact]
    public async Task P4_R6_TheWindowCountsTheLastMessageOfAFinishedConversation()
    {
        // The first message alone would have closed the window; the later one (stored on the conversation only)
        // must survive the conversation being finished.
        var now = factory.Clock.GetUtcNow();
        await factory.CustomerWritesAsync(Desk.Mobile(8), "wamid.P4.1", at: now.AddHours(-25), body: "primeira");
        await factory.CustomerWritesAsync(Desk.Mobile(8), "wamid.P4.2", at: now.AddHours(-1), body: "segunda");
        var earlier = (await factory.CustomerOfAsync(Desk.Mobile(8)))!.CurrentConversationId!;
        var owner = (await factory.ConversationAsync(earlier))!.AgentId!;
        Assert.True((await factory.ClientFor(owner).GetJsonAsync($"{Desk.Conversations}/{earlier}")).GetProperty("windowOpen").GetBoolean());
        await factory.ClientFor(owner).FinishOkAsync(earlier);

        var started = await factory.ClientFor(owner == "ana" ? "bruno" : "ana").StartCreatedAsync(Desk.Mobile(8));

        Assert.True(started.GetProperty("windowOpen").GetBoolean());
        Assert.Equal(now.AddHours(23), started.GetProperty("windowClosesAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task R7_WindowClosed_StartWithoutTemplate_IsRefusedAsTemplateRequired()
    {
        var ana = factory.ClientFor("ana");

        await (await ana.StartAsync(Desk.Mobile(1))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_required", PtBr.TemplateRequired);

        // A customer message 24 h old does not open the window either (≥ 24 h is closed).
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(2), "wamid.R7.old", factory.Clock.GetUtcNow().AddHours(-24));
        await (await ana.StartAsync(Desk.Mobile(2))).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_required", PtBr.TemplateRequired);
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R7_OnlyApprovedTemplatesAreListed()
    {
        var list = await factory.ClientFor("ana").GetJsonAsync($"/api/agent/channels/{HandlerFactory.ChannelId}/templates");
        var templates = list.GetProperty("templates").EnumerateArray().ToList();

        Assert.Equal(["confirmacao_pedido", "retomada_atendimento"], templates.Select(t => t.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(templates, t => Assert.Equal("APPROVED", t.GetProperty("status").GetString()));
        var retomada = templates.Single(t => t.GetProperty("name").GetString() == "retomada_atendimento");
        Assert.Equal("image", retomada.GetProperty("headerFormat").GetString());
    }

    [Fact]
    public async Task R7_Preview_FillsTheParametersAndShowsTheHeaderImage()
    {
        var ana = factory.ClientFor("ana");
        var url = $"/api/agent/channels/{HandlerFactory.ChannelId}/templates/preview";

        using var filled = await ana.PostJsonAsync(url, Desk.Retomada("Joana"));
        var preview = await filled.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, filled.StatusCode);
        Assert.Equal("Olá Joana, aqui é da Smartspace. Podemos continuar seu atendimento?", preview.GetProperty("body").GetString());
        Assert.Equal(Desk.HeaderImage, preview.GetProperty("headerImage").GetString());
        Assert.True(preview.GetProperty("complete").GetBoolean());

        // Before the agent completes it: the template's example image, and the missing fields are reported.
        using var empty = await ana.PostJsonAsync(url, new { name = "retomada_atendimento", language = "pt_BR" });
        var unfilled = await empty.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, empty.StatusCode);
        Assert.False(unfilled.GetProperty("complete").GetBoolean());
        Assert.StartsWith("https://", unfilled.GetProperty("headerImage").GetString());
        Assert.NotEmpty(unfilled.GetProperty("problems").EnumerateArray());

        using var named = await ana.PostJsonAsync(url, Desk.Confirmacao("Maria", "#77"));
        Assert.Equal("Olá Maria, seu pedido #77 foi confirmado.", (await named.ReadJsonAsync()).GetProperty("body").GetString());

        using var pending = await ana.PostJsonAsync(url, new { name = "promocao_pendente", language = "pt_BR", body = new[] { "Maria" } });
        await pending.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_not_approved", PtBr.TemplateNotApproved);
    }

    [Fact]
    public async Task R7_SentTemplateWithImage_IsRecordedInTheConversationAndSent()
    {
        var ana = factory.ClientFor("ana");

        var started = await ana.StartCreatedAsync(Desk.Mobile(3), Desk.Retomada("Maria"));

        Assert.Equal("awaiting_reply", started.Stage());
        Assert.False(started.GetProperty("windowOpen").GetBoolean());
        var id = started.ConversationId();
        var detail = await ana.GetJsonAsync($"{Desk.Conversations}/{id}");
        var message = Assert.Single(detail.GetProperty("messages").EnumerateArray());
        Assert.Equal("template", message.GetProperty("kind").GetString());
        Assert.Equal("out", message.GetProperty("direction").GetString());
        Assert.Equal("retomada_atendimento", message.GetProperty("templateName").GetString());
        Assert.Equal(Desk.HeaderImage, message.GetProperty("headerImage").GetString());
        Assert.Contains("Olá Maria, aqui é da Smartspace.", message.GetProperty("text").GetString());

        // The outbox hands it to the Graph API (bounded wait: the dispatch runs in the background).
        for (var i = 0; i < 100 && factory.Sender.Requests.IsEmpty; i++)
        {
            await Task.Delay(50);
        }

        var sent = Assert.Single(factory.Sender.Requests);
        Assert.Equal("+" + Desk.WaId(Desk.Mobile(3)), sent.ToE164);
    }

    [Fact]
    public async Task R7_StartWithUnapprovedOrIncompleteTemplate_IsRefused()
    {
        var ana = factory.ClientFor("ana");

        await (await ana.StartAsync(Desk.Mobile(1), new { name = "promocao_pendente", language = "pt_BR", body = new[] { "Maria" } }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_not_approved", PtBr.TemplateNotApproved);
        await (await ana.StartAsync(Desk.Mobile(1), new { name = "nao_existe", language = "pt_BR" }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_not_approved");
        await (await ana.StartAsync(Desk.Mobile(1), new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria" }, headerImageLink = Desk.HeaderImage }))
            .AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_parameters_invalid", PtBr.TemplateParametersMissing);
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R10_StartFromHistory_UsesThePastConversationsChannelAndCustomer()
    {
        var ana = factory.ClientFor("ana");
        var first = await ana.StartCreatedAsync(Desk.Mobile(4), Desk.Retomada());
        await ana.FinishOkAsync(first.ConversationId(), "duvida");

        var history = await ana.GetJsonAsync("/api/agent/history");
        var past = history.GetProperty("items")[0].GetProperty("conversation");
        var channelId = past.GetProperty("channelId").GetString();
        var number = past.GetProperty("customerNumber").GetString()!; // "+5511…": normalised, not rejected (R2)

        var again = await ana.StartCreatedAsync(number, Desk.Confirmacao(), channelId);

        Assert.NotEqual(first.ConversationId(), again.ConversationId());
        Assert.Equal(first.ConversationId(), again.GetProperty("lastConversation").GetProperty("id").GetString());
        Assert.Equal(number, again.GetProperty("conversation").GetProperty("customerNumber").GetString());
    }

    [Fact]
    public async Task R11_CardShowsTheProfileNameOnceTheCustomerWrote_OtherwiseTheNumber()
    {
        var ana = factory.ClientFor("ana");

        var unknown = await ana.StartCreatedAsync(Desk.Mobile(5), Desk.Retomada());
        Assert.Equal("+" + Desk.WaId(Desk.Mobile(5)), unknown.GetProperty("conversation").GetProperty("customerName").GetString());

        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(6), "wamid.R11.1", name: "Joana Prado");
        var known = await ana.StartCreatedAsync(Desk.Mobile(6));
        Assert.Equal("Joana Prado", known.GetProperty("conversation").GetProperty("customerName").GetString());

        // The customer who had only been addressed replies: the card now carries the profile name.
        await factory.CustomerWritesAsync(Desk.Mobile(5), "wamid.R11.2", name: "Pedro Alves");
        var detail = await ana.GetJsonAsync($"{Desk.Conversations}/{unknown.ConversationId()}");
        Assert.Equal("Pedro Alves", detail.GetProperty("conversation").GetProperty("customerName").GetString());
    }

    [Fact]
    public async Task R12_StartRefused_WhenAgentAtCapacity_WaitingForReplyCounts()
    {
        var ana = factory.ClientFor("ana"); // maximum 3
        var held = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var started = await ana.StartCreatedAsync(Desk.Mobile(i), Desk.Retomada());
            Assert.Equal("awaiting_reply", started.Stage()); // waiting for the customer's reply still counts
            held.Add(started.ConversationId());
        }

        var refused = await (await ana.StartAsync(Desk.Mobile(4), Desk.Retomada())).AssertProblemAsync(HttpStatusCode.Conflict, "agent_at_capacity", PtBr.AgentAtCapacity);
        Assert.Equal(PtBr.AttentionTitle, refused.GetProperty("title").GetString());
        Assert.Equal(3, (await factory.AgentAsync("ana"))!.OpenConversationIds.Count);
        Assert.Null((await factory.CustomerOfAsync(Desk.Mobile(4)))?.CurrentConversationId);

        await ana.FinishOkAsync(held[0]);
        await ana.StartCreatedAsync(Desk.Mobile(4), Desk.Retomada());
    }

    [Fact]
    public async Task R13_StartRefused_WhenCustomerServedByAnotherAgent()
    {
        var ana = factory.ClientFor("ana");
        var bruno = factory.ClientFor("bruno");
        var started = await ana.StartCreatedAsync(Desk.Mobile(8), Desk.Retomada()); // awaiting ana's template reply

        var refused = await (await bruno.StartAsync(Desk.Mobile(8), Desk.Retomada())).AssertProblemAsync(HttpStatusCode.Conflict, "customer_in_service", PtBr.CustomerInService);
        Assert.Equal(PtBr.AttentionTitle, refused.GetProperty("title").GetString());
        Assert.Empty((await factory.AgentAsync("bruno"))!.OpenConversationIds);

        // Once the customer replied (conversation open), still refused.
        await factory.CustomerWritesAsync(Desk.Mobile(8), "wamid.R13.1");
        await (await bruno.StartAsync(Desk.Mobile(8))).AssertProblemAsync(HttpStatusCode.Conflict, "customer_in_service", PtBr.CustomerInService);
        Assert.Equal(started.ConversationId(), (await factory.CustomerOfAsync(Desk.Mobile(8)))!.CurrentConversationId);
    }

    [Fact]
    public async Task R13_SameAgentStartsAgain_GetsTheExistingConversation()
    {
        var ana = factory.ClientFor("ana");
        var started = await ana.StartCreatedAsync(Desk.Mobile(9), Desk.Retomada());

        using var again = await ana.StartAsync(Desk.Mobile(9));
        var body = await again.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(body.GetProperty("existing").GetBoolean());
        Assert.Equal(started.ConversationId(), body.ConversationId());
        Assert.Single((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R14_QueuedCustomer_QueueEndsAndActiveConversationStartsInOneChange()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(10), "wamid.R14.1", body: "Alguém aí?");
        var queued = (await factory.CustomerOfAsync(Desk.Mobile(10)))!.CurrentConversationId!;
        Assert.Equal(ConversationStage.Queued, (await factory.ConversationAsync(queued))!.Stage);
        Assert.Equal(1, await CountAsync(Keys.QueuePrefix));

        var started = await factory.ClientFor("bruno").StartCreatedAsync(Desk.Mobile(10));

        var ended = (await factory.ConversationAsync(queued))!;
        Assert.Equal(ConversationStage.Closed, ended.Stage);
        Assert.Equal("superseded_by_active_conversation", ended.ClosedReason);
        Assert.Equal(0, await CountAsync(Keys.QueuePrefix));
        Assert.Equal("open", started.Stage());
        Assert.Equal(started.ConversationId(), (await factory.CustomerOfAsync(Desk.Mobile(10)))!.CurrentConversationId);
        Assert.Contains(started.GetProperty("lastConversationMessages").EnumerateArray(), m => m.GetProperty("text").GetString() == "Alguém aí?");
        await factory.Events.WaitForAsync(e => e.Type == "conversation.closed" && e.ConversationId == queued, what: "conversation.closed");
        await LedgerInvariants.AssertHoldAsync(factory, HandlerFactory.TenantId);
    }

    [Fact]
    public async Task R14_BotStageCustomer_BotEndsAndActiveConversationStarts()
    {
        // "outro" has the bot enabled: a customer who writes there talks to the bot.
        await factory.CustomerWritesAsync(Desk.Mobile(11), "wamid.R14.bot", channelId: HandlerFactory.OtherTenantChannelId);
        var bot = (await factory.CustomerOfAsync(Desk.Mobile(11), HandlerFactory.OtherTenantChannelId, "outro"))!.CurrentConversationId!;
        Assert.Equal(ConversationStage.Bot, (await factory.ConversationAsync(bot, "outro"))!.Stage);

        var started = await factory.ClientFor("diego", "outro").StartCreatedAsync(Desk.Mobile(11));

        Assert.Equal(HandlerFactory.OtherTenantChannelId, started.GetProperty("conversation").GetProperty("channelId").GetString());
        Assert.Equal("open", started.Stage());
        Assert.Equal(ConversationStage.Closed, (await factory.ConversationAsync(bot, "outro"))!.Stage);
        Assert.Equal(started.ConversationId(), (await factory.CustomerOfAsync(Desk.Mobile(11), HandlerFactory.OtherTenantChannelId, "outro"))!.CurrentConversationId);
        await LedgerInvariants.AssertHoldAsync(factory, "outro");
    }

    private async Task<int> CountAsync(string prefix) =>
        (await factory.Get<LedgerStore>().QueryAllAsync(HandlerFactory.TenantId, prefix, CancellationToken.None)).Count;

    public void Dispose() => factory.Dispose();
}
