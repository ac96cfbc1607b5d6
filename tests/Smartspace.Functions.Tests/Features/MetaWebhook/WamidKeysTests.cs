using System.Net;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Meta.Sending;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>
/// Meta's wamids are standard base64, so they may contain '/', '+' and '=' — and '/' is forbidden in a Table
/// Storage key. Such ids must be stored, deduplicated and matched like any other.
/// </summary>
public sealed class WamidKeysTests : IDisposable
{
    private const string SlashWamid = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYIDNB/QTZBMkY+OTk2NDFCQjNFRUI4RkQwRDlFNTA4AA==";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P3_WamidWithSlashAndPlus_IsStoredOnceAndDeduplicated()
    {
        var json = MetaPayloads.Text("5511987650101", SlashWamid, factory.Clock.GetUtcNow(), "Oi");
        for (var i = 0; i < 3; i++)
        {
            using var response = await factory.PostWebhookAsync(json);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var ledger = factory.Get<LedgerStore>();
        var dedupe = await ledger.GetAsync(HandlerFactory.TenantId, Keys.Wamid(SlashWamid), CancellationToken.None);
        Assert.NotNull(dedupe);
        var messages = await ledger.QueryAllAsync(HandlerFactory.TenantId, "msg|", CancellationToken.None);
        Assert.Single(messages, m => m.GetString("Wamid") == SlashWamid);
    }

    [Fact]
    public async Task P3_StatusForAnOutboundWamidWithSlash_IsMatchedByWamidAlone()
    {
        factory.Sender.Behaviour = request => new SendOutcome.Accepted(SlashWamid, request.ToE164.TrimStart('+'), "accepted");
        using var write = await factory.PostWebhookAsync(MetaPayloads.Text("5511987650102", "wamid.FIRST", factory.Clock.GetUtcNow(), "Oi"));
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        var ana = factory.ClientFor("bruno");
        var conversations = await (await ana.GetAsync("/api/agent/conversations")).ReadJsonAsync();
        var client = conversations.GetProperty("conversations").GetArrayLength() > 0 ? ana : factory.ClientFor("ana");
        var mine = await (await client.GetAsync("/api/agent/conversations")).ReadJsonAsync();
        var id = mine.GetProperty("conversations")[0].GetProperty("id").GetString()!;
        using var sent = await client.PostJsonAsync($"/api/agent/conversations/{id}/messages", new { text = "Olá!" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var ledger = factory.Get<LedgerStore>();
        for (var i = 0; i < 100 && await ledger.GetAsync(HandlerFactory.TenantId, Keys.Wamid(SlashWamid), CancellationToken.None) is null; i++)
        {
            await Task.Delay(50);
        }

        // No biz_opaque_callback_data: the status is matched through the wamid row alone.
        using var status = await factory.PostWebhookAsync(MetaPayloads.Status(SlashWamid, "read", factory.Clock.GetUtcNow(), "5511987650102"));
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var detail = await (await client.GetAsync($"/api/agent/conversations/{id}")).ReadJsonAsync();
        Assert.Contains(detail.GetProperty("messages").EnumerateArray(), m => m.GetProperty("wamid").GetString() == SlashWamid && m.GetProperty("status").GetString() == "read");
    }

    public void Dispose() => factory.Dispose();
}

/// <summary>Ids that come from outside (URLs, another app's biz_opaque_callback_data) never break a store key.</summary>
public sealed class ForeignIdsTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P3_StatusWithAnotherAppsOpaqueDataContainingSlash_IsIgnoredNot400()
    {
        var json = MetaPayloads.Status("wamid.OTHERAPP", "delivered", factory.Clock.GetUtcNow(), "5511987650103", ourMessageId: "other/app#x?y.7");
        using var response = await factory.PostWebhookAsync(json);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, factory.Get<WebhookMetrics>().UnknownStatusCount);
    }

    [Fact]
    public async Task UnknownConversationIdWithUnsafeCharacters_Is404()
    {
        using var response = await factory.ClientFor("ana").GetAsync("/api/agent/conversations/" + Uri.EscapeDataString("a/b#c?d"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    public void Dispose() => factory.Dispose();
}
