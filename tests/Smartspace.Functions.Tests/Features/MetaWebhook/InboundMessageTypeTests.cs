using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>P7: every inbound type in Meta's documented shape is stored once and shown to the agent sensibly, media kept.</summary>
public sealed class InboundMessageTypeTests : IDisposable
{
    private const string Customer = "5511987654321";
    private readonly HandlerFactory factory = new();

    /// <summary>A type-specific part (reference §5), the chat line the agent must see, and the media that must be kept.</summary>
    private sealed record Case(string Type, string Part, string Text, string? MediaId = null, string? Mime = null, string? Caption = null);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["text"] = new("text", "\"text\":{\"body\":\"Does it come in red? Tem em vermelho?\"}", "Does it come in red? Tem em vermelho?"),
        ["image"] = new("image",
            "\"image\":{\"caption\":\"Comprovante de pagamento\",\"mime_type\":\"image/jpeg\",\"sha256\":\"fy5Zx1cW4sL1H3YGyPtlOCbq0Xr6a1N7P2dYhmY0pDc=\",\"id\":\"1003383421387256\",\"url\":\"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1003383421387256\"}",
            "📷 Imagem — Comprovante de pagamento", "1003383421387256", "image/jpeg", "Comprovante de pagamento"),
        ["audio"] = new("audio",
            "\"audio\":{\"mime_type\":\"audio/ogg; codecs=opus\",\"sha256\":\"aGVsbG8=\",\"id\":\"2001\",\"url\":\"https://lookaside.fbsbx.com/x\",\"voice\":true}",
            "🎤 Áudio", "2001", "audio/ogg; codecs=opus"),
        ["video"] = new("video",
            "\"video\":{\"caption\":\"Vídeo do defeito\",\"mime_type\":\"video/mp4\",\"sha256\":\"dmlkZW8=\",\"id\":\"3001\"}",
            "🎬 Vídeo — Vídeo do defeito", "3001", "video/mp4", "Vídeo do defeito"),
        ["document"] = new("document",
            "\"document\":{\"caption\":\"Nota fiscal de outubro\",\"filename\":\"nf.pdf\",\"mime_type\":\"application/pdf\",\"sha256\":\"ZG9j\",\"id\":\"4001\"}",
            "📄 nf.pdf — Nota fiscal de outubro", "4001", "application/pdf", "Nota fiscal de outubro"),
        ["sticker"] = new("sticker",
            "\"sticker\":{\"mime_type\":\"image/webp\",\"sha256\":\"c3RpY2tlcg==\",\"id\":\"5001\",\"animated\":false}",
            "Figurinha", "5001", "image/webp"),
        ["location"] = new("location",
            "\"location\":{\"latitude\":-23.5613,\"longitude\":-46.6565,\"name\":\"MASP\",\"address\":\"Av. Paulista, 1578\",\"url\":\"https://masp.org.br\"}",
            "📍 Localização: MASP, Av. Paulista, 1578 (-23.5613, -46.6565)"),
        ["contacts"] = new("contacts",
            "\"contacts\":[{\"name\":{\"formatted_name\":\"Ana Lima\",\"first_name\":\"Ana\",\"last_name\":\"Lima\"},\"phones\":[{\"phone\":\"+55 11 98765-4321\",\"wa_id\":\"5511987654321\",\"type\":\"CELL\"}],\"emails\":[{\"email\":\"ana@example.com\",\"type\":\"WORK\"}],\"org\":{\"company\":\"Acme\"},\"addresses\":[],\"urls\":[]}]",
            "👤 Contato: Ana Lima (+55 11 98765-4321)"),
        ["interactive button_reply"] = new("interactive",
            "\"context\":{\"from\":\"551140001234\",\"id\":\"wamid.ORIGINAL\"},\"interactive\":{\"type\":\"button_reply\",\"button_reply\":{\"id\":\"falar-atendente\",\"title\":\"Falar com atendente\"}}",
            "Falar com atendente"),
        ["interactive list_reply"] = new("interactive",
            "\"context\":{\"from\":\"551140001234\",\"id\":\"wamid.ORIGINAL\"},\"interactive\":{\"type\":\"list_reply\",\"list_reply\":{\"id\":\"opt_2\",\"title\":\"Segunda via\",\"description\":\"Boleto do mês\"}}",
            "Segunda via"),
        ["template quick-reply button"] = new("button",
            "\"context\":{\"from\":\"551140001234\",\"id\":\"wamid.TEMPLATE\"},\"button\":{\"payload\":\"CONTINUAR\",\"text\":\"Sim, continuar\"}",
            "Sim, continuar"),
        ["reaction"] = new("reaction", "\"reaction\":{\"message_id\":\"wamid.REACTED\",\"emoji\":\"👍\"}", "Reagiu com 👍"),
        ["reaction removed"] = new("reaction", "\"reaction\":{\"message_id\":\"wamid.REACTED\"}", "Removeu a reação"),
        ["unsupported"] = new("unsupported",
            "\"errors\":[{\"code\":131051,\"title\":\"Message type unknown\",\"message\":\"Message type unknown\",\"error_data\":{\"details\":\"Message type is currently not supported.\"}}],\"unsupported\":{\"type\":\"edit\"}",
            "Mensagem não suportada"),
        ["text from a click-to-WhatsApp ad"] = new("text",
            "\"referral\":{\"source_url\":\"https://fb.me/3cr4Wqqkv\",\"source_id\":\"120210000000000001\",\"source_type\":\"ad\",\"body\":\"Frete grátis hoje\",\"headline\":\"Promoção\",\"media_type\":\"image\",\"image_url\":\"https://scontent.xx.fbcdn.net/x.jpg\",\"ctwa_clid\":\"ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-tVbJEy0yJo\"},\"text\":{\"body\":\"Vi o anúncio, ainda vale?\"}",
            "Vi o anúncio, ainda vale?"),
        ["forwarded text"] = new("text", "\"context\":{\"forwarded\":true,\"frequently_forwarded\":true},\"text\":{\"body\":\"Olha isso\"}", "Olha isso"),
        ["unknown type"] = new("nfm_reply_v9", "\"nfm_reply_v9\":{\"response_json\":\"{}\",\"body\":\"Sent\",\"name\":\"flow\"}", "Mensagem do tipo nfm_reply_v9 não suportada"),
        ["unknown type without a part"] = new("hologram", "", "Mensagem do tipo hologram não suportada"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task P7_EachType_IsStoredOnceAndShownToTheAgent(string name)
    {
        var item = Cases[name];
        var wamid = "wamid.TYPE." + item.Type;
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.Message(Customer, wamid, factory.Clock.GetUtcNow().AddMinutes(-1), item.Type, item.Part));

        await (await factory.PostWebhookAsync(json)).AssertOkAsync();
        await (await factory.PostWebhookAsync(json)).AssertOkAsync();

        var conversation = await factory.CurrentConversationAsync(Customer);
        var stored = Assert.Single(await factory.MessagesAsync(conversation.ConversationId));
        Assert.Equal(wamid, stored.Wamid);
        Assert.Equal(1, await factory.CountAsync("wamid|"));

        // What the agent sees (as the supervisor, who may read any conversation).
        var detail = await (await factory.ClientFor("carla", role: AgentRole.Supervisor).GetAsync($"/api/agent/conversations/{conversation.ConversationId}")).ReadJsonAsync();
        var message = Assert.Single(detail.GetProperty("messages").EnumerateArray());
        Assert.Equal(item.Text, message.GetProperty("text").GetString());
        Assert.Equal(item.Type, message.GetProperty("kind").GetString());
        Assert.Equal("in", message.GetProperty("direction").GetString());
        if (item.MediaId is null)
        {
            Assert.True(message.GetProperty("media").ValueKind == JsonValueKind.Null, message.ToString());
        }
        else
        {
            var media = message.GetProperty("media");
            Assert.Equal(item.MediaId, media.GetProperty("id").GetString());
            Assert.Equal(item.Mime, media.GetProperty("mimeType").GetString());
            Assert.Equal(item.Caption, media.TryGetProperty("caption", out var caption) ? caption.GetString() : null);
        }
    }

    [Fact]
    public async Task P7_ReplyContext_IsKeptWithTheMessage()
    {
        var json = WebhookJson.SingleMessage(Customer, WebhookJson.Message(Customer, "wamid.CTX", factory.Clock.GetUtcNow(), "button", Cases["template quick-reply button"].Part));

        await (await factory.PostWebhookAsync(json)).AssertOkAsync();

        var conversation = await factory.CurrentConversationAsync(Customer);
        var stored = Assert.Single(await factory.MessagesAsync(conversation.ConversationId));
        Assert.Equal("wamid.TEMPLATE", stored.ContextWamid);
        Assert.Contains("\"payload\":\"CONTINUAR\"", stored.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task P7_AdReferralAndForwardedFlag_AreKeptAndShownToTheAgent()
    {
        var at = factory.Clock.GetUtcNow().AddMinutes(-1);
        var fromAd = WebhookJson.Message(Customer, "wamid.AD", at, "text", Cases["text from a click-to-WhatsApp ad"].Part);
        var forwarded = WebhookJson.Message(Customer, "wamid.FWD", at.AddSeconds(1), "text", Cases["forwarded text"].Part);

        await (await factory.PostWebhookAsync(WebhookJson.SingleMessage(Customer, fromAd))).AssertOkAsync();
        await (await factory.PostWebhookAsync(WebhookJson.SingleMessage(Customer, forwarded))).AssertOkAsync();

        var conversation = await factory.CurrentConversationAsync(Customer);
        var detail = await (await factory.ClientFor("carla", role: AgentRole.Supervisor).GetAsync($"/api/agent/conversations/{conversation.ConversationId}")).ReadJsonAsync();
        var messages = detail.GetProperty("messages").EnumerateArray().ToList();
        var referral = messages[0].GetProperty("referral");
        Assert.Equal("ad", referral.GetProperty("sourceType").GetString());
        Assert.Equal("Promoção", referral.GetProperty("headline").GetString());
        Assert.StartsWith("ARAkLkA8", referral.GetProperty("ctwaClid").GetString(), StringComparison.Ordinal);
        Assert.False(messages[0].GetProperty("forwarded").GetBoolean());
        Assert.Equal(JsonValueKind.Null, messages[1].GetProperty("referral").ValueKind);
        Assert.True(messages[1].GetProperty("forwarded").GetBoolean());
    }

    public void Dispose() => factory.Dispose();
}
