using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Smartspace.Core.Text;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.Sandbox;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Media;

/// <summary>
/// Issue 16 through the whole local loop over real HTTP: the customer simulator sends media (the sandbox holds the
/// bytes like Meta does), the handler fetches them from the sandbox's Graph API after its 200 and stores them, agents
/// read them from the agent API; attachments, replies, reactions and read receipts go out through the sandbox, which
/// validates them like Meta. Each test uses its own customer number on one shared handler process.
/// </summary>
public sealed class MediaFlowTests(SandboxHandler handler) : IClassFixture<SandboxHandler>
{
    private const string ChannelId = HandlerFactory.ChannelId;

    // Small files with real signatures: a PNG, an OGG/Opus voice note, a PDF.
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly byte[] Voice = [.. Encoding.ASCII.GetBytes("OggS"), 0, 2, .. Enumerable.Range(0, 200).Select(i => (byte)i)];
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

    private static async Task<JsonElement> PostJsonAsync(HttpClient client, string url, object payload, HttpStatusCode expected)
    {
        using var response = await client.PostJsonAsync(url, payload);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == expected, $"POST {url}: expected {(int)expected}, got {(int)response.StatusCode} {body}");
        return body;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {body}");
        return body;
    }

    private Task<JsonElement> DetailAsync(HttpClient agent, string conversationId) => GetJsonAsync(agent, $"/api/agent/conversations/{conversationId}");

    private static JsonElement? ByWamid(JsonElement detail, string wamid) =>
        detail.GetProperty("messages").EnumerateArray().Cast<JsonElement?>().FirstOrDefault(m => m!.Value.GetProperty("wamid").GetString() == wamid);

    private static JsonElement ById(JsonElement detail, string id) =>
        detail.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);

    /// <summary>The customer sends through the simulator; the webhook must have answered 200. Returns (wamid, mediaId).</summary>
    private async Task<(string Wamid, string? MediaId)> CustomerSendsAsync(string from, string type, string? text = null, byte[]? file = null,
        string? mimeType = null, string? fileName = null, string? replyTo = null)
    {
        var sent = await PostJsonAsync(handler.Http, "/sandbox/customers/messages", new
        {
            phoneNumberId = ChannelId,
            from,
            name = "Maria Cliente",
            text,
            type,
            replyTo,
            mediaBase64 = file is null ? null : Convert.ToBase64String(file),
            mimeType,
            fileName,
        }, HttpStatusCode.OK);
        Assert.True(sent.GetProperty("webhookStatus").GetInt32() == 200, sent.ToString());
        var mediaId = sent.TryGetProperty("mediaId", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return (sent.GetProperty("wamid").GetString()!, mediaId);
    }

    /// <summary>Ana starts with a template (the window is closed) and the customer answers with text: an open conversation held by ana.</summary>
    private async Task<(HttpClient Ana, string ConversationId, string CustomerWamid)> OpenConversationAsync(string typed)
    {
        var ana = await FreshAnaAsync();
        var started = await PostJsonAsync(ana, "/api/agent/conversations", new
        {
            channelId = ChannelId,
            number = typed,
            template = new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/retomada.png" },
        }, HttpStatusCode.Created);
        var conversationId = started.GetProperty("conversation").GetProperty("id").GetString()!;
        var (wamid, _) = await CustomerSendsAsync("55" + typed, "text", "Oi, segue o comprovante");
        await handler.EventuallyAsync(() => DetailAsync(ana, conversationId), d => d.GetProperty("conversation").GetProperty("stage").GetString() == "open", "the conversation to open");
        return (ana, conversationId, wamid);
    }

    /// <summary>Ana with none of the earlier tests' conversations (each test starts one; her capacity is small, R12).</summary>
    private async Task<HttpClient> FreshAnaAsync()
    {
        var ana = await handler.AgentAsync("ana");
        foreach (var conversation in (await GetJsonAsync(ana, "/api/agent/conversations")).GetProperty("conversations").EnumerateArray())
        {
            await PostJsonAsync(ana, $"/api/agent/conversations/{conversation.GetProperty("id").GetString()}/finish", new { }, HttpStatusCode.OK);
        }

        return ana;
    }

    private Task<JsonElement> MediaSettledAsync(HttpClient agent, string conversationId, string wamid) =>
        handler.EventuallyAsync(() => DetailAsync(agent, conversationId),
            d => ByWamid(d, wamid) is { } m && m.GetProperty("mediaFile").ValueKind == JsonValueKind.Object
                && m.GetProperty("mediaFile").GetProperty("state").GetString() is "stored" or "unavailable",
            $"the media of {wamid} to settle");

    private async Task<JsonElement[]> SandboxAsync(string path) => (await GetJsonAsync(handler.Http, path)).EnumerateArray().ToArray();

    [Fact]
    public async Task P7_InboundImageVoiceNoteAndPdf_FetchableByTheOwningAgentByteForByte_404ToAnotherContactCenter()
    {
        const string typed = "11987001001";
        var (ana, conversationId, _) = await OpenConversationAsync(typed);
        var from = "55" + typed;
        var image = await CustomerSendsAsync(from, "image", "foto do boleto", Png, "image/png");
        var voice = await CustomerSendsAsync(from, "audio", null, Voice, "audio/ogg; codecs=opus");
        var pdf = await CustomerSendsAsync(from, "document", "segue a nota", Pdf, "application/pdf", "nota-fiscal.pdf");

        var cases = new[] { (image.Wamid, Png, "image/png", (string?)null), (voice.Wamid, Voice, "audio/ogg", null), (pdf.Wamid, Pdf, "application/pdf", "nota-fiscal.pdf") };
        var diego = await handler.AgentAsync("diego", "outro");
        var bruno = await handler.AgentAsync("bruno");
        foreach (var (wamid, bytes, contentType, fileName) in cases)
        {
            var detail = await MediaSettledAsync(ana, conversationId, wamid);
            var file = ByWamid(detail, wamid)!.Value.GetProperty("mediaFile");
            Assert.Equal("stored", file.GetProperty("state").GetString());
            Assert.Equal(contentType, file.GetProperty("contentType").GetString());
            Assert.Equal(bytes.Length, file.GetProperty("size").GetInt64());
            var url = file.GetProperty("url").GetString()!;

            using var response = await ana.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("inline", response.Content.Headers.ContentDisposition?.DispositionType);
            if (fileName is not null)
            {
                Assert.Equal(fileName, response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            }

            // Another contact center's agent: the conversation does not exist for them (404), whatever the id.
            using (var other = await diego.GetAsync(url))
            {
                await other.AssertProblemAsync(HttpStatusCode.NotFound, "conversation_not_found");
            }

            // An agent of the same contact center who does not hold it may not see it either.
            using (var notHolder = await bruno.GetAsync(url))
            {
                Assert.Equal(HttpStatusCode.Forbidden, notHolder.StatusCode);
            }
        }

        // The voice note is an audio message that says it is one, with the display text agents already know.
        var final = await DetailAsync(ana, conversationId);
        Assert.Equal(PtBr.InboundAudio, ByWamid(final, voice.Wamid)!.Value.GetProperty("text").GetString());
        Assert.True(ByWamid(final, voice.Wamid)!.Value.GetProperty("media").GetProperty("voice").GetBoolean());
    }

    [Fact]
    public async Task P3_MediaIdMetaNoLongerServes_EndsUnavailable_WithNoRetryStorm()
    {
        const string typed = "11987001002";
        var (ana, conversationId, _) = await OpenConversationAsync(typed);

        // The download hangs, Meta forgets the id meanwhile (as after 7 days), then the download is let go.
        await PostJsonAsync(handler.Http, "/sandbox/media/downloads/hold", new { }, HttpStatusCode.NoContent);
        (string Wamid, string? MediaId) sent;
        try
        {
            sent = await CustomerSendsAsync("55" + typed, "image", "comprovante", Png, "image/png");
            await handler.EventuallyAsync(() => GetJsonAsync(handler.Http, "/sandbox/media/downloads/waiting"), w => w.GetProperty("waiting").GetInt32() >= 1, "the download to start");
            using var expired = await handler.Http.PostAsync($"/sandbox/media/{sent.MediaId}/expire", null);
            Assert.Equal(HttpStatusCode.NoContent, expired.StatusCode);
        }
        finally
        {
            await PostJsonAsync(handler.Http, "/sandbox/media/downloads/release", new { }, HttpStatusCode.NoContent);
        }

        var detail = await MediaSettledAsync(ana, conversationId, sent.Wamid);
        var message = ByWamid(detail, sent.Wamid)!.Value;
        Assert.Equal("unavailable", message.GetProperty("mediaFile").GetProperty("state").GetString());
        Assert.Equal("gone", message.GetProperty("mediaFile").GetProperty("error").GetString());
        using (var response = await ana.GetAsync($"/api/agent/conversations/{conversationId}/messages/{message.GetProperty("id").GetString()}/media"))
        {
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "media_unavailable", PtBr.MediaUnavailable);
        }

        // No retry storm: the sweeps that follow never ask Meta about that id again.
        var calls = (await SandboxAsync("/sandbox/media/requests")).Count(r => r.GetProperty("mediaId").GetString() == sent.MediaId);
        Assert.InRange(calls, 1, 2); // the first lookup, and the one fresh-URL lookup Meta's docs prescribe after a 404
        for (var i = 0; i < 3; i++)
        {
            using var sweep = await handler.Http.PostAsync("/api/local/timers/outbox-retry", null);
            Assert.Equal(HttpStatusCode.OK, sweep.StatusCode);
        }

        Assert.Equal(calls, (await SandboxAsync("/sandbox/media/requests")).Count(r => r.GetProperty("mediaId").GetString() == sent.MediaId));
    }

    [Fact]
    public async Task P3_WebhookAnswers200_WhileTheMediaDownloadHangs()
    {
        const string typed = "11987001003";
        var (ana, conversationId, _) = await OpenConversationAsync(typed);
        await PostJsonAsync(handler.Http, "/sandbox/media/downloads/hold", new { }, HttpStatusCode.NoContent);
        try
        {
            // The sandbox posts the signed webhook and reports the handler's answer: 200, although every download is held.
            var sent = await CustomerSendsAsync("55" + typed, "document", null, Pdf, "application/pdf", "boleto.pdf");
            // The download did start (after the 200) and is still hanging; the message is stored, its file pending.
            await handler.EventuallyAsync(() => GetJsonAsync(handler.Http, "/sandbox/media/downloads/waiting"), w => w.GetProperty("waiting").GetInt32() >= 1, "the download to hang");
            var detail = await DetailAsync(ana, conversationId);
            Assert.Equal("pending", ByWamid(detail, sent.Wamid)!.Value.GetProperty("mediaFile").GetProperty("state").GetString());
            await PostJsonAsync(handler.Http, "/sandbox/media/downloads/release", new { }, HttpStatusCode.NoContent);
            detail = await MediaSettledAsync(ana, conversationId, sent.Wamid);
            Assert.Equal("stored", ByWamid(detail, sent.Wamid)!.Value.GetProperty("mediaFile").GetProperty("state").GetString());
        }
        finally
        {
            await PostJsonAsync(handler.Http, "/sandbox/media/downloads/release", new { }, HttpStatusCode.NoContent);
        }
    }

    private static MultipartFormDataContent Attachment(byte[] bytes, string contentType, string fileName, string? caption = null, string? replyTo = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        if (caption is not null)
        {
            form.Add(new StringContent(caption), "caption");
        }

        if (replyTo is not null)
        {
            form.Add(new StringContent(replyTo), "replyTo");
        }

        return form;
    }

    [Fact]
    public async Task P4_AgentSendsAPdfInAnOpenWindow_UploadedThenSentById_AndGetsStatuses()
    {
        const string typed = "11987001004";
        var (ana, conversationId, _) = await OpenConversationAsync(typed);

        using var response = await ana.PostAsync($"/api/agent/conversations/{conversationId}/attachments", Attachment(Pdf, "application/pdf", "proposta.pdf", "Segue a proposta"));
        var body = await response.ReadJsonAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"attachment: {(int)response.StatusCode} {body}");
        var id = body.GetProperty("message").GetProperty("id").GetString()!;
        Assert.Equal("document", body.GetProperty("message").GetProperty("kind").GetString());
        Assert.Equal("📄 proposta.pdf — Segue a proposta", body.GetProperty("message").GetProperty("text").GetString());

        var detail = await handler.EventuallyAsync(() => DetailAsync(ana, conversationId),
            d => ById(d, id).GetProperty("status").GetString() is "delivered" or "read", "the PDF to be delivered");
        Assert.Equal("stored", ById(detail, id).GetProperty("mediaFile").GetProperty("state").GetString());

        // Meta got a document by the id its /media answered, with the file name and caption.
        var send = (await SandboxAsync("/sandbox/outbox")).Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == id);
        Assert.Equal("accepted", send.GetProperty("result").GetString());
        using var wire = JsonDocument.Parse(send.GetProperty("requestBody").GetString()!);
        var document = wire.RootElement.GetProperty("document");
        Assert.Equal("proposta.pdf", document.GetProperty("filename").GetString());
        Assert.Equal("Segue a proposta", document.GetProperty("caption").GetString());
        Assert.False(string.IsNullOrEmpty(document.GetProperty("id").GetString()));

        // The agent can open what they sent, byte for byte.
        using var file = await ana.GetAsync(ById(detail, id).GetProperty("mediaFile").GetProperty("url").GetString());
        Assert.Equal(Pdf, await file.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task P4_R8_AttachmentWhileTheWindowIsNotOpenForFreeText_IsRefusedExactlyAsFreeText()
    {
        const string typed = "11987001005";
        var ana = await FreshAnaAsync();
        var started = await PostJsonAsync(ana, "/api/agent/conversations", new
        {
            channelId = ChannelId,
            number = typed,
            template = new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/retomada.png" },
        }, HttpStatusCode.Created);
        var conversationId = started.GetProperty("conversation").GetProperty("id").GetString()!;

        using var text = await ana.PostJsonAsync($"/api/agent/conversations/{conversationId}/messages", new { text = "Oi?" });
        var textProblem = await text.ReadJsonAsync();
        using var attachment = await ana.PostAsync($"/api/agent/conversations/{conversationId}/attachments", Attachment(Pdf, "application/pdf", "proposta.pdf"));
        var attachmentProblem = await attachment.AssertProblemAsync(text.StatusCode, textProblem.GetProperty("code").GetString()!, textProblem.GetProperty("detail").GetString());
        Assert.Equal("awaiting_customer_reply", attachmentProblem.GetProperty("code").GetString());

        var detail = await DetailAsync(ana, conversationId);
        Assert.Single(detail.GetProperty("messages").EnumerateArray()); // only the template: nothing recorded, nothing sent
        Assert.DoesNotContain(await SandboxAsync("/sandbox/outbox"), r => r.GetProperty("type").GetString() == "document" && r.GetProperty("to").GetString() == "55" + typed);
    }

    [Fact]
    public async Task Errors_AttachmentOfATypeOrSizeWhatsAppRefuses_IsProblemJson_AndChangesNothing()
    {
        const string typed = "11987001006";
        var (ana, conversationId, _) = await OpenConversationAsync(typed);
        var before = (await DetailAsync(ana, conversationId)).GetProperty("messages").GetArrayLength();

        using (var exe = await ana.PostAsync($"/api/agent/conversations/{conversationId}/attachments", Attachment([0x4D, 0x5A, 0x90], "application/x-msdownload", "setup.exe")))
        {
            await exe.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "attachment_unsupported_type", PtBr.AttachmentUnsupportedType);
        }

        using (var big = await ana.PostAsync($"/api/agent/conversations/{conversationId}/attachments", Attachment(new byte[5 * 1024 * 1024 + 1], "image/png", "grande.png")))
        {
            await big.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "attachment_too_large", PtBr.AttachmentTooLarge);
        }

        using (var captioned = await ana.PostAsync($"/api/agent/conversations/{conversationId}/attachments", Attachment(Voice, "audio/ogg", "audio.ogg", "legenda")))
        {
            await captioned.AssertProblemAsync(HttpStatusCode.BadRequest, "attachment_invalid", PtBr.AttachmentInvalid);
        }

        using (var json = await ana.PostJsonAsync($"/api/agent/conversations/{conversationId}/attachments", new { file = "x" }))
        {
            await json.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        }

        Assert.Equal(before, (await DetailAsync(ana, conversationId)).GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task P7_ReplyAndReaction_RoundTrip()
    {
        const string typed = "11987001007";
        var (ana, conversationId, customerWamid) = await OpenConversationAsync(typed);
        var detail = await DetailAsync(ana, conversationId);
        var customerMessage = ByWamid(detail, customerWamid)!.Value.GetProperty("id").GetString()!;

        // The agent answers that specific message: Meta gets context.message_id = the customer's wamid.
        var reply = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/messages", new { text = "Recebi, obrigado!", replyTo = customerMessage }, HttpStatusCode.Accepted);
        var replyId = reply.GetProperty("message").GetProperty("id").GetString()!;
        Assert.Equal(customerMessage, reply.GetProperty("message").GetProperty("replyTo").GetProperty("id").GetString());
        detail = await handler.EventuallyAsync(() => DetailAsync(ana, conversationId),
            d => ById(d, replyId).GetProperty("status").GetString() is "delivered" or "read", "the reply to be delivered");
        var replyWamid = ById(detail, replyId).GetProperty("wamid").GetString()!;
        var replySend = (await SandboxAsync("/sandbox/outbox")).Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == replyId);
        using (var wire = JsonDocument.Parse(replySend.GetProperty("requestBody").GetString()!))
        {
            Assert.Equal(customerWamid, wire.RootElement.GetProperty("context").GetProperty("message_id").GetString());
        }

        // The customer quotes the agent's reply: the chat shows which message it answers.
        var (quoting, _) = await CustomerSendsAsync("55" + typed, "text", "De nada!", replyTo: replyWamid);
        detail = await handler.EventuallyAsync(() => DetailAsync(ana, conversationId), d => ByWamid(d, quoting) is not null, "the quoting message");
        var replyTo = ByWamid(detail, quoting)!.Value.GetProperty("replyTo");
        Assert.Equal(replyId, replyTo.GetProperty("id").GetString());
        Assert.Equal("Recebi, obrigado!", replyTo.GetProperty("text").GetString());

        // The agent reacts to the customer's message, then removes the reaction; each is a WhatsApp message with statuses.
        var reacted = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/messages/{customerMessage}/reaction", new { emoji = "👍" }, HttpStatusCode.Accepted);
        var reactionId = reacted.GetProperty("message").GetProperty("id").GetString()!;
        detail = await handler.EventuallyAsync(() => DetailAsync(ana, conversationId),
            d => ById(d, reactionId).GetProperty("status").GetString() is "delivered" or "read", "the reaction to be delivered");
        Assert.Equal("👍", ById(detail, customerMessage).GetProperty("agentReaction").GetString());
        var reactionSend = (await SandboxAsync("/sandbox/outbox")).Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == reactionId);
        using (var wire = JsonDocument.Parse(reactionSend.GetProperty("requestBody").GetString()!))
        {
            Assert.Equal("reaction", wire.RootElement.GetProperty("type").GetString());
            Assert.Equal(customerWamid, wire.RootElement.GetProperty("reaction").GetProperty("message_id").GetString());
            Assert.Equal("👍", wire.RootElement.GetProperty("reaction").GetProperty("emoji").GetString());
        }

        using var removed = await ana.DeleteAsync($"/api/agent/conversations/{conversationId}/messages/{customerMessage}/reaction");
        var removal = await removed.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.Accepted, removed.StatusCode);
        var removalId = removal.GetProperty("message").GetProperty("id").GetString()!;
        detail = await handler.EventuallyAsync(() => DetailAsync(ana, conversationId),
            d => ById(d, removalId).GetProperty("status").GetString() is "delivered" or "read", "the removal to be delivered");
        Assert.Equal(JsonValueKind.Null, ById(detail, customerMessage).GetProperty("agentReaction").ValueKind);
        var removalSend = (await SandboxAsync("/sandbox/outbox")).Single(r => r.GetProperty("bizOpaqueCallbackData").GetString() == removalId);
        using (var wire = JsonDocument.Parse(removalSend.GetProperty("requestBody").GetString()!))
        {
            Assert.Equal("", wire.RootElement.GetProperty("reaction").GetProperty("emoji").GetString());
        }

        // The customer reacts to the agent's reply: shown with the message it reacts to.
        var (customerReaction, _) = await CustomerSendsAsync("55" + typed, "reaction", "❤️", replyTo: replyWamid);
        detail = await handler.EventuallyAsync(() => DetailAsync(ana, conversationId), d => ByWamid(d, customerReaction) is not null, "the customer's reaction");
        Assert.Equal(PtBr.InboundReactedWith("❤️"), ByWamid(detail, customerReaction)!.Value.GetProperty("text").GetString());
        Assert.Equal(replyId, ByWamid(detail, customerReaction)!.Value.GetProperty("replyTo").GetProperty("id").GetString());

        // A reaction to something that is not a customer's message of this conversation is refused, and changes nothing.
        using var toOwn = await ana.PostJsonAsync($"/api/agent/conversations/{conversationId}/messages/{replyId}/reaction", new { emoji = "👍" });
        await toOwn.AssertProblemAsync(HttpStatusCode.NotFound, "message_not_found", PtBr.MessageNotFound);
    }

    [Fact]
    public async Task P7_OpeningAConversation_MarksItsUnreadCustomerMessagesReadExactlyOnce()
    {
        const string typed = "11987001008";
        var (ana, conversationId, first) = await OpenConversationAsync(typed);
        var (second, _) = await CustomerSendsAsync("55" + typed, "text", "Alguém aí?");
        var (third, _) = await CustomerSendsAsync("55" + typed, "image", "print", Png, "image/png");
        await handler.EventuallyAsync(() => DetailAsync(ana, conversationId), d => ByWamid(d, third) is not null, "the last message");

        // Opened twice, and twice at the same time: every unread customer message is marked read at Meta once.
        var opens = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/read", new { }, HttpStatusCode.OK)));
        var again = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/read", new { }, HttpStatusCode.OK);
        Assert.Equal(3, opens.Sum(o => o.GetProperty("marked").GetInt32()));
        Assert.Equal(0, again.GetProperty("marked").GetInt32());

        var receipts = (await SandboxAsync("/sandbox/media/receipts")).Where(r => !r.GetProperty("typing").GetBoolean()).Select(r => r.GetProperty("wamid").GetString()).ToList();
        foreach (var wamid in new[] { first, second, third })
        {
            Assert.Equal(1, receipts.Count(r => r == wamid));
        }

        // Only the holder sends read receipts: another agent of the contact center cannot.
        var bruno = await handler.AgentAsync("bruno");
        using var notHolder = await bruno.PostJsonAsync($"/api/agent/conversations/{conversationId}/read", new { });
        await notHolder.AssertProblemAsync(HttpStatusCode.Forbidden, "not_conversation_owner");

        // Typing: Meta's indicator on the customer's last message inside the window, at most once per interval.
        var typing = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/typing", new { }, HttpStatusCode.Accepted);
        var throttled = await PostJsonAsync(ana, $"/api/agent/conversations/{conversationId}/typing", new { }, HttpStatusCode.Accepted);
        Assert.True(typing.GetProperty("sent").GetBoolean());
        Assert.False(throttled.GetProperty("sent").GetBoolean());
        Assert.Single(await SandboxAsync("/sandbox/media/receipts"), r => r.GetProperty("typing").GetBoolean() && r.GetProperty("wamid").GetString() == third);
    }
}
