using System.Text;
using System.Text.Json;
using Smartspace.Core.Meta;
using Smartspace.Core.Tests.TestSupport;

namespace Smartspace.Core.Tests.Meta;

public sealed class WebhookParserMessageTests
{
    private static readonly DateTimeOffset SentAt = DateTimeOffset.FromUnixTimeSeconds(1749416383);

    [Theory]
    [InlineData("text", InboundMessageKind.Text, "Olá! Não recebi a fatura de março 😕 — você pode reenviar? ção")]
    [InlineData("image", InboundMessageKind.Image, "📷 Imagem — Comprovante de pagamento")]
    [InlineData("audio", InboundMessageKind.Audio, "🎤 Áudio")]
    [InlineData("video", InboundMessageKind.Video, "🎬 Vídeo — Veja o defeito")]
    [InlineData("document", InboundMessageKind.Document, "📄 nf-2026-03.pdf — Segue a nota")]
    [InlineData("sticker", InboundMessageKind.Sticker, "Figurinha")]
    [InlineData("location", InboundMessageKind.Location, "📍 Localização: MASP, Av. Paulista, 1578 - Bela Vista, São Paulo - SP (-23.561414, -46.655881)")]
    [InlineData("contacts", InboundMessageKind.Contacts, "👤 Contato: Ana Lima (+55 11 98765-4321)")]
    [InlineData("interactive_button_reply", InboundMessageKind.Interactive, "Confirmar")]
    [InlineData("interactive_list_reply", InboundMessageKind.Interactive, "Segunda via")]
    [InlineData("button", InboundMessageKind.Button, "Quero falar com um atendente")]
    [InlineData("reaction", InboundMessageKind.Reaction, "Reagiu com 👍")]
    [InlineData("reaction_removed", InboundMessageKind.Reaction, "Removeu a reação")]
    [InlineData("order", InboundMessageKind.Order, "🛒 Pedido (2 itens) — Entregar à tarde")]
    [InlineData("system", InboundMessageKind.System, "User João Conceição changed from 551187654321 to 5511912345678")]
    [InlineData("unsupported", InboundMessageKind.Unsupported, "Mensagem não suportada")]
    [InlineData("unknown_type", InboundMessageKind.Unknown, "Mensagem do tipo hologram não suportada")]
    public void P7_EveryInboundType_ParsesWithItsKindAndPtBrDisplayText(string fixture, InboundMessageKind kind, string display)
    {
        var change = SingleMessagesChange(fixture);
        var message = Assert.Single(change.Messages);

        Assert.Equal(kind, message.Kind);
        Assert.Equal(display, message.DisplayText);
        Assert.Equal("551187654321", message.From);
        Assert.Equal("BR.1502576394655843", message.FromUserId);
        Assert.Equal(SentAt, message.Timestamp);
        Assert.StartsWith("wamid.", message.Wamid, StringComparison.Ordinal);
        Assert.Equal("106540352242922", change.PhoneNumberId);
        Assert.Equal("551140028922", change.DisplayPhoneNumber);
        Assert.Equal("102290129340398", change.WabaId);
        Assert.Equal("messages", change.Field);

        var contact = Assert.Single(change.Contacts);
        Assert.Equal("João Conceição", contact.ProfileName);
        Assert.Equal("551187654321", contact.WaId);
        Assert.Equal("BR.1502576394655843", contact.UserId);

        // RawJson is the item itself, re-readable, with its id and type.
        using var raw = JsonDocument.Parse(message.RawJson);
        Assert.Equal(message.Wamid, raw.RootElement.GetProperty("id").GetString());
        Assert.Equal(message.Type, raw.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void P7_Text_KeepsBodyAndAccentsAndEmojiVerbatim()
    {
        var message = SingleMessage("text");
        Assert.Equal("Olá! Não recebi a fatura de março 😕 — você pode reenviar? ção", message.Text);
        Assert.Contains("março 😕", message.RawJson, StringComparison.Ordinal);
        Assert.Empty(message.Errors);
        Assert.Null(message.Media);
    }

    [Fact]
    public void P7_ClickToWhatsAppReferral_IsParsedOnAnyType_AndAForwardedTextIsFlagged()
    {
        const string body = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"2"},
              "messages":[
                {"from":"5511987654321","id":"wamid.ad","timestamp":"1","type":"image",
                 "referral":{"source_url":"https://fb.me/x","source_id":"120210","source_type":"ad","headline":"Promoção","body":"Frete grátis","media_type":"video","video_url":"https://v","ctwa_clid":"ARAk123"},
                 "image":{"id":"9","mime_type":"image/jpeg"}},
                {"from":"5511987654321","id":"wamid.fwd","timestamp":"2","type":"text","context":{"forwarded":true},"text":{"body":"olha"}}]}}]}]}
            """;
        var messages = Parse(Encoding.UTF8.GetBytes(body)).Messages.ToList();

        Assert.Equal(new InboundReferral("ad", "120210", "https://fb.me/x", "Promoção", "Frete grátis", "video", "ARAk123"), messages[0].Referral);
        Assert.False(messages[0].IsForwarded);
        Assert.Null(messages[1].Referral);
        Assert.True(messages[1].IsForwarded);
    }

    [Fact]
    public void P7_EscapedUnicode_RoundTripsToTheSameText()
    {
        const string body = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"2"},
              "messages":[{"from":"5511987654321","id":"wamid.x","timestamp":"1","type":"text",
                           "text":{"body":"Ol\u00e1 \ud83d\ude00 \"aspas\"\n\\fim"}}]}}]}]}
            """;
        var message = Assert.Single(Parse(Encoding.UTF8.GetBytes(body)).Messages);

        Assert.Equal("Olá 😀 \"aspas\"\n\\fim", message.Text);
        Assert.Contains(@"Ol\u00e1 \ud83d\ude00", message.RawJson, StringComparison.Ordinal);
    }

    [Fact]
    public void P7_Media_KeepsIdMimeShaCaptionAndFlags()
    {
        var image = SingleMessage("image").Media!;
        Assert.Equal("1003383421387256", image.Id);
        Assert.Equal("image/jpeg", image.MimeType);
        Assert.Equal("fy5Zx1cW4sL1H3YGyPtlOCbq0Xr6a1N7P2dYhmY0pDc=", image.Sha256);
        Assert.Equal("Comprovante de pagamento", image.Caption);
        Assert.StartsWith("https://", image.Url, StringComparison.Ordinal);

        var audio = SingleMessage("audio").Media!;
        Assert.True(audio.Voice);
        Assert.Equal("audio/ogg; codecs=opus", audio.MimeType);

        var document = SingleMessage("document").Media!;
        Assert.Equal("nf-2026-03.pdf", document.Filename);
        Assert.Equal("application/pdf", document.MimeType);

        Assert.False(SingleMessage("sticker").Media!.Animated);
        Assert.Equal("video/mp4", SingleMessage("video").Media!.MimeType);
    }

    [Fact]
    public void P7_Location_KeepsCoordinatesNameAndAddress()
    {
        var location = SingleMessage("location").Location!;
        Assert.Equal(-23.561414, location.Latitude);
        Assert.Equal(-46.655881, location.Longitude);
        Assert.Equal("MASP", location.Name);
        Assert.Equal("Av. Paulista, 1578 - Bela Vista, São Paulo - SP", location.Address);
    }

    [Fact]
    public void P7_Contacts_KeepsNamesAndPhones()
    {
        var card = Assert.Single(SingleMessage("contacts").SharedContacts);
        Assert.Equal("Ana Lima", card.FormattedName);
        var phone = Assert.Single(card.Phones);
        Assert.Equal("+55 11 98765-4321", phone.Phone);
        Assert.Equal("5511987654321", phone.WaId);
        Assert.Equal("CELL", phone.Type);
    }

    [Fact]
    public void P7_InteractiveAndButtonReplies_KeepIdsAndTheRepliedMessage()
    {
        var button = SingleMessage("interactive_button_reply");
        Assert.Equal(new InboundInteractive("button_reply", "confirmar", "Confirmar", null), button.Interactive);
        Assert.Equal("wamid.outbound-template-1", button.ContextMessageId);
        Assert.Equal("551140028922", button.ContextFrom);

        var list = SingleMessage("interactive_list_reply");
        Assert.Equal(new InboundInteractive("list_reply", "opt_2", "Segunda via", "Receber a segunda via do boleto"), list.Interactive);

        var tap = SingleMessage("button");
        Assert.Equal(new InboundButton("QUERO_FALAR", "Quero falar com um atendente"), tap.Button);
        Assert.Equal("wamid.outbound-template-2", tap.ContextMessageId);
    }

    [Fact]
    public void P7_Reaction_KeepsTargetAndEmojiOrNullWhenRemoved()
    {
        Assert.Equal(new InboundReaction("wamid.outbound-3", "👍"), SingleMessage("reaction").Reaction);
        Assert.Equal(new InboundReaction("wamid.outbound-3", null), SingleMessage("reaction_removed").Reaction);
    }

    [Fact]
    public void P7_OrderSystemAndUnsupported_KeepTheirParts()
    {
        Assert.Equal(new InboundOrder("367025965434465", "Entregar à tarde", 2), SingleMessage("order").Order);

        var system = SingleMessage("system").System!;
        Assert.Equal("user_changed_number", system.Type);
        Assert.Equal("5511912345678", system.WaId);
        Assert.Equal("BR.99887766", system.UserId);

        var unsupported = SingleMessage("unsupported");
        Assert.Equal("edit", unsupported.UnsupportedType);
        var error = Assert.Single(unsupported.Errors);
        Assert.Equal(131051, error.Code);
        Assert.Equal("Message type is currently not supported.", error.Details);
    }

    [Fact]
    public void P7_UnknownType_KeepsTypeAndRawJson()
    {
        var message = SingleMessage("unknown_type");
        Assert.Equal("hologram", message.Type);
        Assert.Contains("\"cube\"", message.RawJson, StringComparison.Ordinal);
    }

    [Fact]
    public void P6_UsernameUser_WithOnlyFromUserId_Parses()
    {
        var change = SingleMessagesChange("username_user");
        var message = Assert.Single(change.Messages);
        Assert.Null(message.From);
        Assert.Equal("BR.1502576394655843", message.FromUserId);
        Assert.Equal("oi, sou eu", message.DisplayText);

        var contact = Assert.Single(change.Contacts);
        Assert.Null(contact.WaId);
        Assert.Equal("@bia.silva", contact.Username);
        Assert.Equal("Bia", contact.ProfileName);
    }

    [Fact]
    public void P6_EmptyFromString_IsTreatedAsAbsent()
    {
        var body = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"2"},"contacts":[{"wa_id":"","user_id":"BR.9","profile":{"name":""}}],
              "messages":[{"from":"","from_user_id":"BR.9","id":"wamid.x","timestamp":"1","type":"text","text":{"body":"oi"}}]}}]}]}
            """u8;
        var change = Assert.IsType<MessagesChange>(Assert.Single(Parse(body.ToArray()).Changes));
        Assert.Null(Assert.Single(change.Messages).From);
        Assert.Null(Assert.Single(change.Contacts).WaId);
        Assert.Null(Assert.Single(change.Contacts).ProfileName);
    }

    [Fact]
    public void P7_MessageWithoutItsTypePart_StillParsesWithAFallbackText()
    {
        var body = """
            {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
              "metadata":{"phone_number_id":"2"},
              "messages":[{"from":"5511987654321","id":"a","timestamp":"1","type":"image"},
                          {"from":"5511987654321","id":"b","timestamp":"1","type":"location"},
                          {"from":"5511987654321","id":"c","timestamp":"1","type":"interactive","interactive":{"type":"nfm_reply","nfm_reply":{"body":"Sent","name":"flow"}}},
                          {"from":"5511987654321","id":"d","timestamp":"1","type":"contacts","contacts":[{"phones":[{"wa_id":"5511911112222"}]}]},
                          {"from":"5511987654321","id":"e","timestamp":"1","type":"order","order":{"product_items":[{}]}}]}}]}]}
            """u8;
        var messages = Parse(body.ToArray()).Messages.ToList();
        Assert.Equal(["📷 Imagem", "📍 Localização", "Sent", "👤 Contato: +5511911112222", "🛒 Pedido (1 item)"], messages.Select(m => m.DisplayText));
    }

    internal static WebhookEnvelope Parse(byte[] body)
    {
        var result = WebhookParser.Parse(body);
        Assert.True(result.IsSuccess, result.Error);
        return result.Envelope;
    }

    private static MessagesChange SingleMessagesChange(string fixture) =>
        Assert.IsType<MessagesChange>(Assert.Single(Parse(Fixtures.Bytes(fixture)).Changes));

    private static InboundMessage SingleMessage(string fixture) => Assert.Single(SingleMessagesChange(fixture).Messages);
}
