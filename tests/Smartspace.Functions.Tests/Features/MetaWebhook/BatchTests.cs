using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Tests.Infrastructure;
using static Smartspace.Functions.Tests.Features.MetaWebhook.WebhookJson;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>One POST may carry up to 1,000 updates across entry[], changes[], messages[] and statuses[] (reference §3): every one is applied.</summary>
public sealed class BatchTests : IDisposable
{
    private const string Joao = "5511987650001";
    private const string Lia = "5521987650002";
    private const string Otavio = "5531987650003";
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task P3_SeveralEntriesChangesMessagesAndStatuses_AreAllApplied()
    {
        var sent = await factory.StartTemplateAndWaitForSendAsync("21987659999");
        var at = factory.Clock.GetUtcNow();
        var body = Envelope(
            Entry(WabaId,
                MessagesChange(HandlerFactory.ChannelId,
                    contacts: [Contact(Joao, "João Conceição"), Contact(Lia, "Lia Prado")],
                    messages: [
                        TextMessage(Joao, "wamid.B1", at.AddSeconds(-30), "primeira"),
                        TextMessage(Lia, "wamid.B2", at.AddSeconds(-20), "oi, sou a Lia"),
                        Message(Joao, "wamid.B3", at.AddSeconds(-10), "image", "\"image\":{\"mime_type\":\"image/jpeg\",\"sha256\":\"x\",\"id\":\"9\"}"),
                    ]),
                MessagesChange(HandlerFactory.ChannelId, statuses: [
                    Status(sent.Wamid, "sent", at.AddSeconds(-5), "5521987659999", sent.OurMessageId),
                    Status(sent.Wamid, "delivered", at.AddSeconds(-4), "5521987659999", sent.OurMessageId),
                    Status("wamid.NEVER_OURS", "read", at.AddSeconds(-3), "5511900000000"),
                ])),
            Entry("200300400500999",
                MessagesChange(HandlerFactory.OtherTenantChannelId, contacts: [Contact(Otavio, "Otávio")], messages: [TextMessage(Otavio, "wamid.C1", at, "outro canal")])),
            "{\"id\":\"" + WabaId + "\",\"time\":1751247548,\"changes\":[{\"field\":\"message_template_status_update\",\"value\":{\"event\":\"PAUSED\",\"message_template_id\":900000000000002,\"message_template_name\":\"confirmacao_pedido\",\"message_template_language\":\"pt_BR\",\"reason\":\"NONE\"}},"
                + "{\"field\":\"user_preferences\",\"value\":{\"messaging_product\":\"whatsapp\",\"user_preferences\":[]}}]}");
        var unknownBefore = factory.Get<Functions.Features.MetaWebhook.WebhookMetrics>().UnknownStatusCount;

        await (await factory.PostWebhookAsync(body)).AssertOkAsync();

        var joao = await factory.MessagesAsync((await factory.CurrentConversationAsync(Joao)).ConversationId);
        Assert.Equal(["primeira", "📷 Imagem"], joao.Select(m => m.DisplayText));
        Assert.Equal([1L, 2L], joao.Select(m => m.Seq));
        Assert.Equal("João Conceição", (await factory.CustomerAsync(Joao))!.ProfileName);
        Assert.Equal("oi, sou a Lia", Assert.Single(await factory.MessagesAsync((await factory.CurrentConversationAsync(Lia)).ConversationId)).DisplayText);
        Assert.Equal("Lia Prado", (await factory.CustomerAsync(Lia))!.ProfileName);

        var other = await factory.CurrentConversationAsync(Otavio, HandlerFactory.OtherTenantChannelId, "outro");
        Assert.Equal(ConversationStage.Bot, other.Stage);
        Assert.Equal("outro canal", Assert.Single(await factory.MessagesAsync(other.ConversationId, "outro")).DisplayText);
        Assert.Null(await factory.CustomerAsync(Otavio));

        Assert.Equal("delivered", Assert.Single(await factory.MessagesAsync(sent.ConversationId)).Status);
        Assert.Equal(unknownBefore + 1, factory.Get<Functions.Features.MetaWebhook.WebhookMetrics>().UnknownStatusCount);

        var template = await factory.Get<TemplateCatalog>().GetAsync(HandlerFactory.TenantId, WabaId, "confirmacao_pedido", "pt_BR", CancellationToken.None);
        Assert.False(template!.IsSendable);
    }

    [Fact]
    public async Task P3_SameWamidTwiceInOneBatch_IsStoredOnce()
    {
        var at = factory.Clock.GetUtcNow();
        var item = TextMessage(Joao, "wamid.TWICE", at, "repetida");
        var body = Envelope(
            Entry(WabaId, MessagesChange(HandlerFactory.ChannelId, [Contact(Joao, "João")], [item, item])),
            Entry(WabaId, MessagesChange(HandlerFactory.ChannelId, [Contact(Joao, "João")], [item])));

        await (await factory.PostWebhookAsync(body)).AssertOkAsync();

        var conversation = await factory.CurrentConversationAsync(Joao);
        Assert.Single(await factory.MessagesAsync(conversation.ConversationId));
        Assert.Equal(1, conversation.MessageSeq);
    }

    [Fact]
    public async Task P3_ManyUpdatesInOnePost_AreAllStored()
    {
        var at = factory.Clock.GetUtcNow().AddHours(-1);
        var customers = Enumerable.Range(0, 40).Select(i => $"55119{i:D8}").ToList();
        var messages = customers.SelectMany((c, i) => new[]
        {
            TextMessage(c, $"wamid.MANY.{i}.a", at.AddSeconds(i), "a"),
            TextMessage(c, $"wamid.MANY.{i}.b", at.AddSeconds(i + 1), "b"),
        });

        await (await factory.PostWebhookAsync(Envelope(Entry(WabaId, MessagesChange(HandlerFactory.ChannelId, customers.Select(c => Contact(c, "Cliente " + c[^4..])), messages))))).AssertOkAsync();

        Assert.Equal(80, await factory.CountAsync("wamid|"));
        Assert.Equal(80, await factory.CountAsync("msg|"));
        foreach (var customer in customers)
        {
            Assert.Equal(["a", "b"], (await factory.MessagesAsync((await factory.CurrentConversationAsync(customer)).ConversationId)).Select(m => m.DisplayText));
        }
    }

    public void Dispose() => factory.Dispose();
}
