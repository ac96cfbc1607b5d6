using Smartspace.Durable.Client;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using System.Net;
using System.Text.Json;
using Smartspace.Core.Phones;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>
/// What an agent and a customer do, spelled as the product's own HTTP calls: the agent API for the agent,
/// a signed Meta webhook for the customer. Numbers are typed the way the seed says (DDD + number, R2).
/// </summary>
public static class Desk
{
    public const string Conversations = "/api/agent/conversations";

    /// <summary>The image an agent attaches to the header of <c>retomada_atendimento</c>.</summary>
    public const string HeaderImage = "https://example.com/retomada.png";

    /// <summary>The <c>wa_id</c> WhatsApp reports for a number typed as DDD + number.</summary>
    public static string WaId(string typed) => "55" + typed;

    /// <summary>The approved template with an IMAGE header and positional parameters {{1}} {{2}}.</summary>
    public static object Retomada(string customerName = "Maria") =>
        new { name = "retomada_atendimento", language = "pt_BR", body = new[] { customerName, "Smartspace" }, headerImageLink = HeaderImage };

    /// <summary>The approved template with named parameters {{nome}} {{pedido}}.</summary>
    public static object Confirmacao(string nome = "Maria", string pedido = "#4411") =>
        new { name = "confirmacao_pedido", language = "pt_BR", body = new Dictionary<string, string> { ["nome"] = nome, ["pedido"] = pedido } };

    /// <summary>The customer writes on WhatsApp: Meta delivers a signed webhook, which must be accepted.</summary>
    public static async Task CustomerWritesAsync(this HandlerFactory factory, string typed, string wamid, DateTimeOffset? at = null,
        string body = "Oi, preciso de ajuda", string name = "Maria Cliente", string channelId = HandlerFactory.ChannelId)
    {
        using var response = await factory.PostWebhookAsync(MetaPayloads.Text(WaId(typed), wamid, at ?? factory.Clock.GetUtcNow(), body, name, channelId));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"webhook {wamid}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static Task<HttpResponseMessage> StartAsync(this HttpClient agent, string typed, object? template = null, string? channelId = null) =>
        agent.PostJsonAsync(Conversations, new { channelId, number = typed, template });

    /// <summary>Starts and insists on 201 Created; returns the response body.</summary>
    public static async Task<JsonElement> StartCreatedAsync(this HttpClient agent, string typed, object? template = null, string? channelId = null)
    {
        using var response = await agent.StartAsync(typed, template, channelId);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"start {typed}: {(int)response.StatusCode} {body}");
        return body;
    }

    public static string ConversationId(this JsonElement startOrDetail) => startOrDetail.GetProperty("conversation").GetProperty("id").GetString()!;

    public static string Stage(this JsonElement startOrDetail) => startOrDetail.GetProperty("conversation").GetProperty("stage").GetString()!;

    public static Task<HttpResponseMessage> SendTextAsync(this HttpClient agent, string conversationId, string text) =>
        agent.PostJsonAsync($"{Conversations}/{conversationId}/messages", new { text });

    public static Task<HttpResponseMessage> SendTemplateAsync(this HttpClient agent, string conversationId, object template) =>
        agent.PostJsonAsync($"{Conversations}/{conversationId}/templates", new { template });

    public static Task<HttpResponseMessage> FinishAsync(this HttpClient agent, string conversationId, string? qualificationId = null, string? description = null) =>
        agent.PostJsonAsync($"{Conversations}/{conversationId}/finish", new { qualificationId, description });

    public static async Task FinishOkAsync(this HttpClient agent, string conversationId, string? qualificationId = null, string? description = null)
    {
        using var response = await agent.FinishAsync(conversationId, qualificationId, description);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"finish {conversationId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await client.GetAsync(url);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == expected, $"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>POST /api/agent/me/status, which also routes the queue when the agent becomes available.</summary>
    public static async Task SetAvailableAsync(this HandlerFactory factory, string agentId, bool available, string tenantId = HandlerFactory.TenantId)
    {
        using var response = await factory.ClientFor(agentId, tenantId).PostJsonAsync("/api/agent/me/status", new { available });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Asserts a business refusal / bad input: status, <c>application/problem+json</c>, the stable code and (when given) the exact detail.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code, string? detail = null)
    {
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(code, body.GetProperty("code").GetString());
        if (detail is not null)
        {
            Assert.Equal(detail, body.GetProperty("detail").GetString());
        }

        return body;
    }

    public static Task<AgentProbe?> AgentAsync(this HandlerFactory factory, string agentId, string tenantId = HandlerFactory.TenantId) =>
        AgentProbe.ReadAsync(factory.Get<LedgerStore>(), factory.Get<IConversationEntities>(), tenantId, agentId);

    public static Task<ConversationRow?> ConversationAsync(this HandlerFactory factory, string conversationId, string tenantId = HandlerFactory.TenantId) =>
        factory.Get<LedgerStore>().GetConversationAsync(tenantId, conversationId, CancellationToken.None);

    public static Task<CustomerProbe?> CustomerOfAsync(this HandlerFactory factory, string typed, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId) =>
        CustomerProbe.ReadAsync(factory.Get<LedgerStore>(), factory.Get<IConversationEntities>(), tenantId, channelId, CustomerKey.FromWaId(WaId(typed)).Value);

    /// <summary>
    /// Makes every seeded agent of the demo contact center unavailable, so that a customer who writes waits
    /// in the queue (no routing) and the window is open for an active start.
    /// </summary>
    public static async Task NobodyAvailableAsync(this HandlerFactory factory)
    {
        await factory.SetAvailableAsync("ana", false);
        await factory.SetAvailableAsync("bruno", false);
    }

    /// <summary>A distinct, valid São Paulo mobile number (DDD 11, 9 digits) for customer <paramref name="index"/>.</summary>
    public static string Mobile(int index) => "1198765" + index.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
}
