using System.Net;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using static Smartspace.Functions.Tests.Features.MetaWebhook.WebhookJson;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>P6, R11, P4: who wrote (ninth digit, landlines, BSUID, profile name) and when (Meta's timestamp).</summary>
public sealed class CustomerIdentityTests : IDisposable
{
    private const string LegacyWaId = "551187654321";
    private const string Typed = "11987654321";
    private readonly HandlerFactory factory = new();

    private async Task<ConversationRow> WriteAsync(string from, string wamid, DateTimeOffset at, string text = "oi", string name = "Maria Cliente")
    {
        await (await factory.PostWebhookAsync(SingleMessage(from, TextMessage(from, wamid, at, text), name))).AssertOkAsync();
        return await factory.CurrentConversationAsync(from);
    }

    [Fact]
    public async Task P6_CustomerWritesFrom12DigitWaId_AgentTyping11Digits_FindsTheSameConversation()
    {
        var inbound = await WriteAsync(LegacyWaId, "wamid.P6A", factory.Clock.GetUtcNow().AddMinutes(-3));
        Assert.NotNull(inbound.AgentId);
        var other = inbound.AgentId == "ana" ? "bruno" : "ana";

        var same = await factory.ClientFor(inbound.AgentId!).PostJsonAsync("/api/agent/conversations", new { number = Typed });
        var sameJson = await same.ReadJsonAsync();
        Assert.True(same.StatusCode == HttpStatusCode.OK, sameJson.ToString());
        Assert.Equal(inbound.ConversationId, sameJson.GetProperty("conversation").GetProperty("id").GetString());
        Assert.True(sameJson.GetProperty("existing").GetBoolean());

        var refused = await factory.ClientFor(other).PostJsonAsync("/api/agent/conversations", new { number = "+55 (11) 98765-4321" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("customer_in_service", (await refused.ReadJsonAsync()).GetProperty("code").GetString());
        Assert.Equal(1, await factory.CountAsync("cust|"));
        Assert.Equal(LegacyWaId, (await factory.CustomerAsync(LegacyWaId))!.WaId);
    }

    [Fact]
    public async Task P6_AgentStartsWith11Digits_CustomerRepliesFrom12DigitWaId_SameConversation()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Typed, "ana");

        var reply = await WriteAsync(LegacyWaId, "wamid.P6B", factory.Clock.GetUtcNow(), "pode sim");

        Assert.Equal(sent.ConversationId, reply.ConversationId);
        Assert.Equal(ConversationStage.Open, reply.Stage);
        Assert.Equal("ana", reply.AgentId);
        Assert.Equal(["template", "text"], (await factory.MessagesAsync(reply.ConversationId)).Select(m => m.Kind));
        Assert.Equal(1, await factory.CountAsync("cust|"));
        Assert.Equal(1, await factory.CountAsync("conv|"));
        var customer = await factory.CustomerAsync(LegacyWaId);
        Assert.Equal(LegacyWaId, customer!.WaId);
        Assert.Equal(LegacyWaId, customer.SendTo);
    }

    /// <summary>The agent sees one stable number: a message from the old 12-digit account never flips it, nor does a new start after it.</summary>
    [Fact]
    public async Task P6_ShownNumber_StaysTheThirteenDigitFormAfterAMessageFromAnOldAccount()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync(Typed, "ana");
        var ana = factory.ClientFor("ana");
        Assert.Equal("+5511987654321", (await ana.GetJsonAsync($"/api/agent/conversations/{sent.ConversationId}")).GetProperty("conversation").GetProperty("customerNumber").GetString());

        var reply = await WriteAsync(LegacyWaId, "wamid.P6D", factory.Clock.GetUtcNow(), "pode sim");

        var shown = (await ana.GetJsonAsync($"/api/agent/conversations/{reply.ConversationId}")).GetProperty("conversation");
        Assert.Equal("+5511987654321", shown.GetProperty("customerNumber").GetString());
        Assert.Equal(LegacyWaId, (await factory.CustomerAsync(LegacyWaId))!.SendTo); // still sent to the address WhatsApp uses
        await ana.FinishOkAsync(reply.ConversationId);

        var again = await ana.StartCreatedAsync(Typed); // the window is open (R6)
        Assert.Equal("+5511987654321", again.GetProperty("conversation").GetProperty("customerNumber").GetString());
    }

    [Fact]
    public async Task P6_TwelveDigitLandline_IsNeverMergedWithAMobile()
    {
        const string landline = "551133334444";
        const string mobileWithSameDigits = "5511933334444";

        var fixedLine = await WriteAsync(landline, "wamid.LAND", factory.Clock.GetUtcNow().AddMinutes(-2), name: "Padaria");
        var mobile = await WriteAsync(mobileWithSameDigits, "wamid.MOB", factory.Clock.GetUtcNow().AddMinutes(-1), name: "Pedro");

        Assert.NotEqual(fixedLine.ConversationId, mobile.ConversationId);
        Assert.Equal(landline, fixedLine.CustomerKey);
        Assert.Equal(mobileWithSameDigits, mobile.CustomerKey);
        Assert.Equal(2, await factory.CountAsync("cust|"));

        // The agent typing the landline (10 digits) reaches the landline customer, not the mobile.
        var start = await factory.ClientFor(fixedLine.AgentId!).PostJsonAsync("/api/agent/conversations", new { number = "1133334444" });
        var json = await start.ReadJsonAsync();
        Assert.True(start.StatusCode == HttpStatusCode.OK, json.ToString());
        Assert.Equal(fixedLine.ConversationId, json.GetProperty("conversation").GetProperty("id").GetString());
    }

    [Fact]
    public async Task R11_ProfileNameAndBsuid_AreRecordedAndShown()
    {
        var conversation = await WriteAsync(LegacyWaId, "wamid.NAME1", factory.Clock.GetUtcNow().AddMinutes(-5), name: "Maria Conceição");

        var customer = await factory.CustomerAsync(LegacyWaId);
        Assert.Equal("Maria Conceição", customer!.ProfileName);
        Assert.Equal("BR." + LegacyWaId, customer.UserId);
        Assert.Equal("Maria Conceição", conversation.CustomerName);
        var list = await (await factory.ClientFor(conversation.AgentId!).GetAsync("/api/agent/conversations")).ReadJsonAsync();
        Assert.Equal("Maria Conceição", list.GetProperty("conversations")[0].GetProperty("customerName").GetString());

        var renamed = await WriteAsync(LegacyWaId, "wamid.NAME2", factory.Clock.GetUtcNow(), name: "Maria C.");
        Assert.Equal("Maria C.", (await factory.CustomerAsync(LegacyWaId))!.ProfileName);
        Assert.Equal("Maria C.", renamed.CustomerName);
    }

    [Fact]
    public async Task R11_UsernameUserWithoutPhone_IsKeyedByBsuid()
    {
        const string bsuid = "BR.1502576394655843";
        var body = Envelope(Entry(WabaId, MessagesChange(HandlerFactory.ChannelId,
            ["{\"profile\":{\"name\":\"Bia\",\"username\":\"@bia\"},\"user_id\":\"" + bsuid + "\"}"],
            ["{\"from_user_id\":\"" + bsuid + "\",\"id\":\"wamid.USER\",\"timestamp\":\"" + factory.Clock.GetUtcNow().ToUnixTimeSeconds() + "\",\"type\":\"text\",\"text\":{\"body\":\"oi\"}}"])));

        await (await factory.PostWebhookAsync(body)).AssertOkAsync();

        var row = Assert.Single(await factory.Get<Ledger.LedgerStore>().QueryAllAsync(HandlerFactory.TenantId, "cust|", CancellationToken.None));
        Assert.Equal($"cust|{HandlerFactory.ChannelId}|{bsuid}", row.RowKey);
        Assert.Equal("Bia", row.GetString("ProfileName"));
        Assert.Null(row.GetString("WaId"));
    }

    [Fact]
    public async Task P4_LastInboundIsMetasTimestamp_AndOlderMessagesDoNotMoveItBack()
    {
        var metaTime = factory.Clock.GetUtcNow().AddHours(-2).AddSeconds(-17);
        var conversation = await WriteAsync(LegacyWaId, "wamid.T1", metaTime);
        Assert.Equal(metaTime, await factory.LastInboundAsync(LegacyWaId));

        await WriteAsync(LegacyWaId, "wamid.T0", metaTime.AddHours(-5), "mensagem atrasada");
        Assert.Equal(metaTime, await factory.LastInboundAsync(LegacyWaId));

        var detail = await (await factory.ClientFor(conversation.AgentId!).GetAsync($"/api/agent/conversations/{conversation.ConversationId}")).ReadJsonAsync();
        Assert.Equal(metaTime.AddHours(24), detail.GetProperty("windowClosesAt").GetDateTimeOffset());
        Assert.True(detail.GetProperty("windowOpen").GetBoolean());

        var newer = metaTime.AddMinutes(30);
        await WriteAsync(LegacyWaId, "wamid.T2", newer);
        Assert.Equal(newer, await factory.LastInboundAsync(LegacyWaId));
    }

    public void Dispose() => factory.Dispose();
}
