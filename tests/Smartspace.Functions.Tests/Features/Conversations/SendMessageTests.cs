using System.Net;
using Smartspace.Core.Text;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>Messages in a held conversation: the wait for the customer's reply (R8), another template (R9), the 24 h window (P4).</summary>
public sealed class SendMessageTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task R8_FreeTextRefused_UntilTheCustomerRepliesToTheTemplate()
    {
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(1), Desk.Retomada())).ConversationId();

        await (await ana.SendTextAsync(id, "Olá?")).AssertProblemAsync(HttpStatusCode.Conflict, "awaiting_customer_reply", PtBr.AwaitingCustomerReply);
        var waiting = await ana.GetJsonAsync($"{Desk.Conversations}/{id}");
        Assert.True(waiting.GetProperty("conversation").GetProperty("awaitingCustomerReply").GetBoolean());

        await factory.CustomerWritesAsync(Desk.Mobile(1), "wamid.R8.reply", body: "Oi! Pode falar.");

        var replied = await ana.GetJsonAsync($"{Desk.Conversations}/{id}");
        Assert.Equal("open", replied.Stage());
        Assert.False(replied.GetProperty("conversation").GetProperty("awaitingCustomerReply").GetBoolean());
        Assert.True(replied.GetProperty("windowOpen").GetBoolean());
        Assert.Contains(replied.GetProperty("messages").EnumerateArray(), m => m.GetProperty("direction").GetString() == "in" && m.GetProperty("text").GetString() == "Oi! Pode falar.");
        await factory.Events.WaitForAsync(e => e.Type == "conversation.opened" && e.ConversationId == id, what: "conversation.opened");

        using var text = await ana.SendTextAsync(id, "Que bom! Vamos continuar.");
        Assert.Equal(HttpStatusCode.Accepted, text.StatusCode);
    }

    [Fact]
    public async Task R9_AnotherTemplate_WhileWaitingForTheReply()
    {
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(2), Desk.Retomada())).ConversationId();

        using var second = await ana.SendTemplateAsync(id, Desk.Confirmacao("Maria", "#9"));
        var body = await second.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("awaiting_reply", body.Stage());
        Assert.Equal("confirmacao_pedido", body.GetProperty("message").GetProperty("templateName").GetString());
        var detail = await ana.GetJsonAsync($"{Desk.Conversations}/{id}");
        Assert.Equal(2, detail.GetProperty("messages").GetArrayLength());
        Assert.True(detail.GetProperty("conversation").GetProperty("awaitingCustomerReply").GetBoolean());

    }

    [Fact]
    public async Task R9_SelecionarTemplate_ReopensNovaConversa_AndTheTemplateGoesIntoTheSameConversation()
    {
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(6), Desk.Retomada("Maria"))).ConversationId();

        // Channel and customer prefilled, another template chosen: the same conversation, one more template in it.
        using var reopen = await ana.StartAsync(Desk.Mobile(6), Desk.Confirmacao("Maria", "#12"), HandlerFactory.ChannelId);
        var body = await reopen.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, reopen.StatusCode);
        Assert.True(body.GetProperty("existing").GetBoolean());
        Assert.Equal(id, body.ConversationId());
        Assert.Equal("awaiting_reply", body.Stage());
        Assert.Equal(["retomada_atendimento", "confirmacao_pedido"], body.GetProperty("messages").EnumerateArray().OrderBy(m => m.GetProperty("seq").GetInt64()).Select(m => m.GetProperty("templateName").GetString()));
        Assert.Single((await factory.AgentAsync("ana"))!.OpenConversationIds);

        // Without a template, reopening only returns the conversation.
        using var plain = await ana.StartAsync(Desk.Mobile(6));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(2, (await plain.ReadJsonAsync()).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task R9_TemplateOrTextByAnotherAgent_IsRefused()
    {
        var id = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(3), Desk.Retomada())).ConversationId();
        var bruno = factory.ClientFor("bruno");

        await (await bruno.SendTemplateAsync(id, Desk.Confirmacao())).AssertProblemAsync(HttpStatusCode.Forbidden, "not_conversation_owner", PtBr.Forbidden);
        await (await bruno.SendTextAsync(id, "oi")).AssertProblemAsync(HttpStatusCode.Forbidden, "not_conversation_owner");
    }

    [Fact]
    public async Task P4_WindowClosesAtExactly24Hours_FreeTextRefusedAsWindowClosed()
    {
        await factory.NobodyAvailableAsync();
        var wroteAt = factory.Clock.GetUtcNow();
        await factory.CustomerWritesAsync(Desk.Mobile(4), "wamid.P4.1", wroteAt);
        var id = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(4))).ConversationId();

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24) - TimeSpan.FromMilliseconds(1)); // 23:59:59.999
        var ana = factory.ClientFor("ana"); // a token issued on the new day
        using (var stillOpen = await ana.SendTextAsync(id, "Ainda dá tempo"))
        {
            Assert.Equal(HttpStatusCode.Accepted, stillOpen.StatusCode);
        }

        Assert.True((await ana.GetJsonAsync($"{Desk.Conversations}/{id}")).GetProperty("windowOpen").GetBoolean());

        factory.Clock.SetUtcNow(wroteAt + TimeSpan.FromHours(24));
        await (await ana.SendTextAsync(id, "Agora não")).AssertProblemAsync(HttpStatusCode.Conflict, "window_closed", PtBr.WindowClosed);
        Assert.False((await ana.GetJsonAsync($"{Desk.Conversations}/{id}")).GetProperty("windowOpen").GetBoolean());

        // Outside the window a template still goes, and then the agent waits for the reply (R8).
        using var template = await ana.SendTemplateAsync(id, Desk.Retomada());
        Assert.Equal(HttpStatusCode.Accepted, template.StatusCode);
        Assert.Equal("awaiting_reply", (await template.ReadJsonAsync()).Stage());
    }

    [Fact]
    public async Task R19_ConversationAfterVersion_ReturnsOnlyWhatChangedAfterIt()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(5), "wamid.R19.1");
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(5))).ConversationId();
        await factory.CustomerWritesAsync(Desk.Mobile(5), "wamid.R19.2", body: "pergunta");

        var seen = (await ana.GetJsonAsync($"{Desk.Conversations}/{id}")).GetProperty("conversation").GetProperty("version").GetInt64();
        using (await ana.SendTextAsync(id, "resposta"))
        {
        }

        var delta = (await ana.GetJsonAsync($"{Desk.Conversations}/{id}?afterVersion={seen}")).GetProperty("messages").EnumerateArray().ToList();
        Assert.Contains(delta, m => m.GetProperty("text").GetString() == "resposta");
        Assert.DoesNotContain(delta, m => m.GetProperty("text").GetString() == "pergunta");
        Assert.All(delta, m => Assert.True(m.GetProperty("version").GetInt64() > seen));
        var all = (await ana.GetJsonAsync($"{Desk.Conversations}/{id}")).GetProperty("messages").EnumerateArray();
        Assert.Contains(all, m => m.GetProperty("text").GetString() == "pergunta");
    }

    public void Dispose() => factory.Dispose();
}
