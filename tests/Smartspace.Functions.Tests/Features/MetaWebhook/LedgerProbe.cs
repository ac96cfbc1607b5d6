using System.Net;
using System.Text.Json;
using Smartspace.Core.Phones;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>Reads the demo contact center's ledger partition the way an assertion needs it.</summary>
public static class LedgerProbe
{
    public static Task<CustomerRow?> CustomerAsync(this HandlerFactory factory, string waId, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId) =>
        factory.Get<LedgerStore>().GetCustomerAsync(tenantId, channelId, CustomerKey.FromWaId(waId).Value, CancellationToken.None);

    public static async Task<ConversationRow> CurrentConversationAsync(this HandlerFactory factory, string waId, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId)
    {
        var customer = await factory.CustomerAsync(waId, channelId, tenantId) ?? throw new Xunit.Sdk.XunitException($"No customer row for {waId}.");
        var id = customer.CurrentConversationId ?? throw new Xunit.Sdk.XunitException($"Customer {waId} has no conversation.");
        return await factory.Get<LedgerStore>().GetConversationAsync(tenantId, id, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"Conversation {id} is missing.");
    }

    /// <summary>P4: when the customer last wrote — the customer row folded with their current conversation.</summary>
    public static async Task<DateTimeOffset?> LastInboundAsync(this HandlerFactory factory, string waId, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId)
    {
        var customer = await factory.CustomerAsync(waId, channelId, tenantId) ?? throw new Xunit.Sdk.XunitException($"No customer row for {waId}.");
        var current = customer.CurrentConversationId is { } id ? await factory.Get<LedgerStore>().GetConversationAsync(tenantId, id, CancellationToken.None) : null;
        return customer.LastInboundWith(current);
    }

    public static async Task<List<MessageRow>> MessagesAsync(this HandlerFactory factory, string conversationId, string tenantId = HandlerFactory.TenantId) =>
        (await factory.Get<LedgerStore>().GetMessagesAsync(tenantId, conversationId, 0, CancellationToken.None)).OrderBy(m => m.Seq).ToList();

    public static async Task<int> CountAsync(this HandlerFactory factory, string prefix, string tenantId = HandlerFactory.TenantId) =>
        (await factory.Get<LedgerStore>().QueryAllAsync(tenantId, prefix, CancellationToken.None)).Count;

    /// <summary>Every row of the ledger partitions of both seeded tenants, for "nothing changed" assertions.</summary>
    public static async Task<string> SnapshotAsync(this HandlerFactory factory)
    {
        var ledger = factory.Get<LedgerStore>();
        var rows = new List<string>();
        foreach (var tenant in new[] { HandlerFactory.TenantId, "outro" })
        {
            foreach (var row in await ledger.QueryAllAsync(tenant, "", CancellationToken.None))
            {
                rows.Add(tenant + "/" + row.RowKey + "=" + JsonSerializer.Serialize(row.Properties.OrderBy(p => p.Key, StringComparer.Ordinal)));
            }
        }

        return string.Join("\n", rows);
    }

    /// <summary>Changes an agent's availability in the store only, without the routing that the API call would run.</summary>
    public static async Task SetAvailableWithoutRoutingAsync(this HandlerFactory factory, string agentId, bool available)
    {
        var ledger = factory.Get<LedgerStore>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var agent = await ledger.GetAgentAsync(HandlerFactory.TenantId, agentId, CancellationToken.None) ?? throw new InvalidOperationException(agentId);
            agent.Available = available;
            if ((await ledger.SubmitAsync([EntityOperation.Replace(agent.ToEntity())], CancellationToken.None)).Succeeded)
            {
                return;
            }
        }

        throw new InvalidOperationException("Could not change " + agentId);
    }

    public static async Task EventuallyAsync(Func<Task<bool>> condition, string because, int timeoutMs = 10_000)
    {
        var until = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new Xunit.Sdk.XunitException("Timed out waiting: " + because);
            }

            await Task.Delay(20);
        }
    }

    public static async Task AssertOkAsync(this HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}

/// <summary>An outbound template started through the agent API ("Conversa ativa", R7) and accepted by the fake Graph API.</summary>
public sealed record SentTemplate(string ConversationId, string OurMessageId, string Wamid);

public static class OutboundSetup
{
    /// <summary>
    /// Starts a conversation with a template for a customer without a window, as <paramref name="agentId"/>;
    /// waits until the outbox has sent it (unless <paramref name="waitForWamid"/> is false).
    /// </summary>
    public static async Task<(string ConversationId, string OurMessageId)> StartTemplateAsync(this HandlerFactory factory, string number, string agentId = "ana")
    {
        var client = factory.ClientFor(agentId);
        var response = await client.PostJsonAsync("/api/agent/conversations", new
        {
            number,
            template = new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/a.jpg" },
        });
        var json = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode} {json}");
        var conversationId = json.GetProperty("conversation").GetProperty("id").GetString()!;
        var ourMessageId = json.GetProperty("messages")[0].GetProperty("id").GetString()!;
        return (conversationId, ourMessageId);
    }

    public static async Task<SentTemplate> StartTemplateAndWaitForSendAsync(this HandlerFactory factory, string number, string agentId = "ana")
    {
        var (conversationId, ourMessageId) = await factory.StartTemplateAsync(number, agentId);
        var ledger = factory.Get<LedgerStore>();
        string? wamid = null;
        await LedgerProbe.EventuallyAsync(async () =>
        {
            wamid = (await ledger.GetMessageAsync(HandlerFactory.TenantId, conversationId, 1, CancellationToken.None))?.Wamid;
            return wamid is not null;
        }, "the outbox to send the template");

        // The dispatcher records the wa_id of the send response on the customer right after: wait for that too.
        var conversation = await ledger.GetConversationAsync(HandlerFactory.TenantId, conversationId, CancellationToken.None);
        await LedgerProbe.EventuallyAsync(async () =>
            (await ledger.GetCustomerAsync(HandlerFactory.TenantId, conversation!.ChannelId, conversation.CustomerKey, CancellationToken.None))?.WaId is not null,
            "the send response's wa_id to be recorded");
        return new SentTemplate(conversationId, ourMessageId, wamid!);
    }
}
