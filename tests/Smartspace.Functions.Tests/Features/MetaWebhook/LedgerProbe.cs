using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using System.Net;
using System.Text.Json;
using Smartspace.Core.Phones;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// A customer as an assertion needs them: the profile row (names, numbers) and the customer's entity (the conversation in
/// progress, the last one, the window). Null when neither exists.
/// </summary>
public sealed record CustomerProbe(string ChannelId, string CustomerKey, CustomerRow? Profile, CustomerConversationState State)
{
    public string? ProfileName => Profile?.ProfileName;
    public string? WaId => Profile?.WaId;
    public string? SendTo => Profile?.SendTo;
    public string? UserId => Profile?.UserId;
    public string? DisplayName => Profile?.DisplayName;
    public string? CurrentConversationId => State.InProgress ? State.ConversationId : null;
    public string? LastConversationId => State.InProgress ? State.LastConversationId : State.LastConversationId ?? State.ConversationId;
    public DateTimeOffset? LastInboundAt => State.LastInboundAt;

    public static async Task<CustomerProbe?> ReadAsync(LedgerStore ledger, IConversationEntities entities, string tenantId, string channelId, string customerKey)
    {
        var profile = await ledger.GetCustomerAsync(tenantId, channelId, customerKey, CancellationToken.None);
        var state = await entities.GetCustomerAsync(tenantId, channelId, customerKey, CancellationToken.None);
        return profile is null && state == CustomerConversationState.Empty ? null : new CustomerProbe(channelId, customerKey, profile, state);
    }
}

/// <summary>An agent as an assertion needs them: the directory row and the agent's capacity entity.</summary>
public sealed record AgentProbe(string AgentId, string Name, AgentRole Role, int MaxConcurrent, IReadOnlyList<string> OpenConversationIds, bool Available, long Version)
{
    public static async Task<AgentProbe?> ReadAsync(LedgerStore ledger, IConversationEntities entities, string tenantId, string agentId)
    {
        var row = await ledger.GetAgentAsync(tenantId, agentId, CancellationToken.None);
        if (row is null)
        {
            return null;
        }

        var capacity = await entities.GetAgentAsync(tenantId, agentId, CancellationToken.None);
        return new AgentProbe(agentId, row.Name, row.Role, capacity.MaxConcurrent, capacity.Held, capacity.Available, capacity.Version);
    }
}

/// <summary>Reads the demo contact center's ledger partition and entities the way an assertion needs them.</summary>
public static class LedgerProbe
{
    public static Task<CustomerProbe?> CustomerAsync(this HandlerFactory factory, string waId, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId) =>
        CustomerProbe.ReadAsync(factory.Get<LedgerStore>(), factory.Get<IConversationEntities>(), tenantId, channelId, CustomerKey.FromWaId(waId).Value);

    public static async Task<ConversationRow> CurrentConversationAsync(this HandlerFactory factory, string waId, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId)
    {
        var customer = await factory.CustomerAsync(waId, channelId, tenantId) ?? throw new Xunit.Sdk.XunitException($"No customer row for {waId}.");
        var id = customer.CurrentConversationId ?? throw new Xunit.Sdk.XunitException($"Customer {waId} has no conversation.");
        return await factory.Get<LedgerStore>().GetConversationAsync(tenantId, id, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"Conversation {id} is missing.");
    }

    /// <summary>P4: when the customer last wrote — their entity's record.</summary>
    public static async Task<DateTimeOffset?> LastInboundAsync(this HandlerFactory factory, string waId, string channelId = HandlerFactory.ChannelId, string tenantId = HandlerFactory.TenantId)
    {
        var customer = await factory.CustomerAsync(waId, channelId, tenantId) ?? throw new Xunit.Sdk.XunitException($"No customer row for {waId}.");
        return customer.LastInboundAt;
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

    /// <summary>Changes an agent's availability in their entity only, without the routing that the API call would run.</summary>
    public static Task SetAvailableWithoutRoutingAsync(this HandlerFactory factory, string agentId, bool available) =>
        factory.Get<IConversationEntities>().UpdateAgentAsync(new UpdateAgentInput(HandlerFactory.TenantId, agentId, new AgentUpdate(Available: available)), CancellationToken.None);

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
