using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Sandbox;

/// <summary>
/// The whole local loop over real HTTP: agent API → outbox → the sandbox's Graph API (<c>/sandbox/graph</c>) →
/// signed status webhooks back into the handler; the customer simulator (<c>/sandbox/customers/messages</c>)
/// for the customer's side. Each test uses its own customer number on one shared handler process.
/// </summary>
public sealed class SandboxFlowTests(SandboxHandler handler) : IClassFixture<SandboxHandler>
{
    private const string ChannelId = HandlerFactory.ChannelId;

    private Task<JsonElement> ConversationAsync(HttpClient agent, string conversationId) =>
        GetJsonAsync(agent, $"/api/agent/conversations/{conversationId}");

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<JsonElement> PostJsonAsync(HttpClient client, string url, object payload, HttpStatusCode expected)
    {
        using var response = await client.PostJsonAsync(url, payload);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == expected, $"POST {url}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
        return body;
    }

    private static JsonElement Message(JsonElement detail, string ourMessageId) =>
        detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == ourMessageId);

    private Task<JsonElement> WaitForMessageStatusAsync(HttpClient agent, string conversationId, string ourMessageId, params string[] statuses) =>
        handler.EventuallyAsync(() => ConversationAsync(agent, conversationId),
            d => statuses.Contains(Message(d, ourMessageId).GetProperty("status").GetString()),
            $"message {ourMessageId} to reach {string.Join("/", statuses)}");

    private async Task CustomerWritesAsync(string from, string text, string name = "Maria Cliente")
    {
        var sent = await PostJsonAsync(handler.Http, "/sandbox/customers/messages", new { phoneNumberId = ChannelId, from, name, text }, HttpStatusCode.OK);
        Assert.True(sent.GetProperty("webhookStatus").GetInt32() == 200, sent.ToString());
        await handler.WaitForPlacementAsync(); // the customer's entity places the message just after the webhook's 200
    }

    private async Task<JsonElement[]> SandboxOutboxAsync() =>
        (await GetJsonAsync(handler.Http, "/sandbox/outbox")).EnumerateArray().ToArray();

    [Fact]
    public async Task R7_R8_FullLocalFlow_TemplateStatusesReplyFreeTextFinishHistory()
    {
        const string typed = "11912345678";
        const string waId = "5511912345678";
        var ana = await handler.AgentAsync("ana");

        // R7: a new customer (window closed) — a template with its image header and values.
        var started = await PostJsonAsync(ana, "/api/agent/conversations", new
        {
            channelId = ChannelId,
            number = typed,
            template = new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/retomada.png" },
        }, HttpStatusCode.Created);
        Assert.False(started.GetProperty("windowOpen").GetBoolean());
        var conversationId = started.GetProperty("conversation").GetProperty("id").GetString()!;
        var templateId = started.GetProperty("messages")[0].GetProperty("id").GetString()!;
        Assert.Equal("awaiting_reply", started.GetProperty("conversation").GetProperty("stage").GetString());

        // The sandbox received the Graph call, with our id as biz_opaque_callback_data and '+' on the number.
        var record = await handler.EventuallyAsync(SandboxOutboxAsync,
            records => records.Any(r => r.GetProperty("bizOpaqueCallbackData").GetString() == templateId), "the sandbox to record the template send");
        var send = record.Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == templateId);
        Assert.Equal("accepted", send.GetProperty("result").GetString());
        Assert.Equal("template", send.GetProperty("type").GetString());
        Assert.Equal("retomada_atendimento", send.GetProperty("templateName").GetString());
        Assert.Equal(waId, send.GetProperty("to").GetString());
        using var wire = JsonDocument.Parse(send.GetProperty("requestBody").GetString()!);
        Assert.Equal("+" + waId, wire.RootElement.GetProperty("to").GetString());
        Assert.Equal(templateId, wire.RootElement.GetProperty("biz_opaque_callback_data").GetString());
        var components = wire.RootElement.GetProperty("template").GetProperty("components").EnumerateArray().ToArray();
        Assert.Equal("https://example.com/retomada.png", components.Single(c => c.GetProperty("type").GetString() == "header")
            .GetProperty("parameters")[0].GetProperty("image").GetProperty("link").GetString());
        Assert.Equal(["Maria", "Smartspace"], components.Single(c => c.GetProperty("type").GetString() == "body")
            .GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("text").GetString()));

        // Signed sent → delivered → read statuses come back: the message reaches read.
        var detail = await WaitForMessageStatusAsync(ana, conversationId, templateId, "read");
        Assert.Equal(send.GetProperty("wamid").GetString(), Message(detail, templateId).GetProperty("wamid").GetString());

        // R8: no free text until the customer replies.
        using (var refused = await ana.PostJsonAsync($"/api/agent/conversations/{conversationId}/messages", new { text = "Oi?" }))
        {
            var problem = await refused.ReadJsonAsync();
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("awaiting_customer_reply", problem.GetProperty("code").GetString());
            Assert.Equal(PtBr.AwaitingCustomerReply, problem.GetProperty("detail").GetString());
        }

        // The customer replies through the simulator: the conversation opens.
        await CustomerWritesAsync(waId, "Oi, pode continuar sim");
        detail = await handler.EventuallyAsync(() => ConversationAsync(ana, conversationId),
            d => d.GetProperty("conversation").GetProperty("stage").GetString() == "open", "the conversation to open");
        Assert.False(detail.GetProperty("conversation").GetProperty("awaitingCustomerReply").GetBoolean());
        Assert.True(detail.GetProperty("windowOpen").GetBoolean());
        Assert.Contains(detail.GetProperty("messages").EnumerateArray(),
            m => m.GetProperty("direction").GetString() == "in" && m.GetProperty("text").GetString() == "Oi, pode continuar sim");

        // Free text is accepted now, and delivered inside the window.
        var text = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/messages", new { text = "Perfeito, Maria! Vamos lá." }, HttpStatusCode.Accepted);
        var textId = text.GetProperty("message").GetProperty("id").GetString()!;
        await WaitForMessageStatusAsync(ana, conversationId, textId, "delivered", "read");
        var textSend = (await SandboxOutboxAsync()).Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == textId);
        Assert.True(textSend.GetProperty("insideWindow").GetBoolean());
        Assert.Equal("accepted", textSend.GetProperty("result").GetString());

        // R16/R17: finish with a qualification; it is in History with its messages.
        await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/finish", new { qualificationId = "duvida", description = "Cliente retomou o atendimento" }, HttpStatusCode.OK);
        var history = await GetJsonAsync(ana, $"/api/agent/history?number={typed}");
        var item = history.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("conversation").GetProperty("id").GetString() == conversationId);
        Assert.Equal("duvida", item.GetProperty("conversation").GetProperty("qualificationId").GetString());
        Assert.Equal(3, item.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task P4_SandboxGraph_FreeTextToANumberThatNeverWrote_Is200ThenAFailed131047Webhook()
    {
        const string neverSeen = "5521998877665";
        const string opaque = "sandbox-probe-131047";
        using var graph = new HttpRequestMessage(HttpMethod.Post, $"/sandbox/graph/v23.0/{ChannelId}/messages")
        {
            Content = JsonContent.Create(new
            {
                messaging_product = "whatsapp",
                recipient_type = "individual",
                to = "+" + neverSeen,
                type = "text",
                text = new { preview_url = false, body = "Olá!" },
                biz_opaque_callback_data = opaque,
            }),
        };
        graph.Headers.Authorization = new AuthenticationHeaderValue("Bearer", SandboxHandler.AccessToken);

        using var response = await handler.Http.SendAsync(graph);
        var body = await response.ReadJsonAsync();

        // Meta accepts the call (reference §7: 131047 usually arrives asynchronously)…
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        var wamid = body.GetProperty("messages")[0].GetProperty("id").GetString()!;
        Assert.StartsWith("wamid.", wamid);
        Assert.Equal(neverSeen, body.GetProperty("contacts")[0].GetProperty("wa_id").GetString());

        // …then reports the failure as a signed status webhook, which the handler acknowledges.
        var record = (await SandboxOutboxAsync()).Single(r => r.GetProperty("wamid").GetString() == wamid);
        Assert.Equal("failed", record.GetProperty("result").GetString());
        Assert.Equal(131047, record.GetProperty("errorCode").GetInt32());
        Assert.False(record.GetProperty("insideWindow").GetBoolean());
        var deliveries = await handler.EventuallyAsync(
            async () => (await GetJsonAsync(handler.Http, "/sandbox/webhooks")).EnumerateArray().ToArray(),
            all => all.Any(d => d.GetProperty("kind").GetString() == "status:failed"), "the failed status webhook");
        var failed = deliveries.Where(d => d.GetProperty("kind").GetString() == "status:failed").ToArray();
        Assert.Contains(failed, d => d.GetProperty("statusCode").GetInt32() == 200);
    }

    [Fact]
    public async Task P4_SandboxGraph_WithoutTheAccessToken_IsRefusedLikeMeta()
    {
        using var response = await handler.Http.PostAsJsonAsync($"/sandbox/graph/v23.0/{ChannelId}/messages",
            new { messaging_product = "whatsapp", to = "+5511999990000", type = "text", text = new { body = "Olá!" } });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(190, (await response.ReadJsonAsync()).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task P6_CustomerWithTwelveDigitWaId_AndAgentTypingTheNinthDigit_ShareOneConversation()
    {
        // The customer's WhatsApp account predates the ninth digit: it writes as 55 11 8765-4321 (12 digits).
        const string legacyWaId = "551187654321";
        const string typed = "11987654321";
        var ana = await handler.AgentAsync("ana");
        var bruno = await handler.AgentAsync("bruno");
        await PostJsonAsync(ana, "/api/agent/me/status", new { available = false }, HttpStatusCode.OK);
        await PostJsonAsync(bruno, "/api/agent/me/status", new { available = false }, HttpStatusCode.OK);
        try
        {
            await CustomerWritesAsync(legacyWaId, "Oi, alguém pode me ajudar?", "Cliente Antigo");

            // The agent types the number with the ninth digit: same customer, so the window is open (R6).
            var started = await PostJsonAsync(ana, "/api/agent/conversations", new { channelId = ChannelId, number = typed }, HttpStatusCode.Created);
            Assert.True(started.GetProperty("windowOpen").GetBoolean(), started.ToString());
            Assert.Equal("open", started.GetProperty("conversation").GetProperty("stage").GetString());
            var conversationId = started.GetProperty("conversation").GetProperty("id").GetString()!;
            Assert.Equal("Cliente Antigo", started.GetProperty("conversation").GetProperty("customerName").GetString());

            var text = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/messages", new { text = "Olá! Sou a Ana." }, HttpStatusCode.Accepted);
            var textId = text.GetProperty("message").GetProperty("id").GetString()!;
            await WaitForMessageStatusAsync(ana, conversationId, textId, "delivered", "read");
            var send = (await SandboxOutboxAsync()).Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == textId);
            Assert.True(send.GetProperty("insideWindow").GetBoolean());
            Assert.Equal(legacyWaId, send.GetProperty("waId").GetString());

            // The customer's next message (12-digit again) lands in the agent's conversation.
            await CustomerWritesAsync(legacyWaId, "Obrigado, Ana!", "Cliente Antigo");
            var detail = await handler.EventuallyAsync(() => ConversationAsync(ana, conversationId),
                d => d.GetProperty("messages").EnumerateArray().Any(m => m.GetProperty("text").GetString() == "Obrigado, Ana!"),
                "the customer's reply in the agent's conversation");
            Assert.Equal("open", detail.GetProperty("conversation").GetProperty("stage").GetString());

            var mine = await GetJsonAsync(ana, "/api/agent/conversations");
            Assert.Single(mine.GetProperty("conversations").EnumerateArray(),
                c => c.GetProperty("stage").GetString() != "closed" && c.GetProperty("customerName").GetString() == "Cliente Antigo");

            await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/finish", new { qualificationId = "suporte" }, HttpStatusCode.OK);
        }
        finally
        {
            await PostJsonAsync(ana, "/api/agent/me/status", new { available = true }, HttpStatusCode.OK);
            await PostJsonAsync(bruno, "/api/agent/me/status", new { available = true }, HttpStatusCode.OK);
        }
    }
}
