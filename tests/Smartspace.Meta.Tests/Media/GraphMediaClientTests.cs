using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Smartspace.Core.Media;
using Smartspace.Meta.Media;
using Smartspace.Meta.Sending;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Media;

/// <summary>Meta's media calls (reference §12) and the new send bodies: attachments by id, reactions, replies, read receipts.</summary>
public sealed class GraphMediaClientTests
{
    private const string Accepted = """{"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"wamid.X"}]}""";

    private static GraphMediaClient Client(HttpMessageHandler handler) =>
        new(new HttpClient(handler), new StaticOptionsMonitor<Smartspace.Meta.Options.MetaOptions>(Support.Graph.Options()), NullLogger<GraphMediaClient>.Instance);

    [Fact]
    public async Task P7_DocumentSend_ById_WithCaptionFilenameAndReplyContext()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var request = OutboundRequest.ForMedia("106540352242922", "+5511987654321", "out-1", new OutboundMedia("document", "1013859600285441", "Sua nota", "nf.pdf"))
            with { ReplyToWamid = "wamid.IN" };

        await Support.Graph.Client(handler).SendAsync(request, CancellationToken.None);

        Assert.Equal(
            Support.Graph.Minify("""
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"+5511987654321","context":{"message_id":"wamid.IN"},
                 "type":"document","document":{"id":"1013859600285441","caption":"Sua nota","filename":"nf.pdf"},"biz_opaque_callback_data":"out-1"}
                """),
            Support.Graph.Minify(handler.Requests[0].Body));
    }

    [Fact]
    public async Task P7_ReactionSend_AndItsRemovalWithAnEmptyEmoji()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var client = Support.Graph.Client(handler);

        await client.SendAsync(OutboundRequest.ForReaction("106540352242922", "+5511987654321", "out-2", new OutboundReaction("wamid.IN", "👍")), CancellationToken.None);
        await client.SendAsync(OutboundRequest.ForReaction("106540352242922", "+5511987654321", "out-3", new OutboundReaction("wamid.IN", "")), CancellationToken.None);

        using var react = System.Text.Json.JsonDocument.Parse(handler.Requests[0].Body);
        using var remove = System.Text.Json.JsonDocument.Parse(handler.Requests[1].Body);
        Assert.Equal("reaction", react.RootElement.GetProperty("type").GetString());
        Assert.Equal("wamid.IN", react.RootElement.GetProperty("reaction").GetProperty("message_id").GetString());
        Assert.Equal("👍", react.RootElement.GetProperty("reaction").GetProperty("emoji").GetString());
        Assert.Equal("", remove.RootElement.GetProperty("reaction").GetProperty("emoji").GetString());
    }

    [Fact]
    public async Task P7_Download_ResolvesTheIdThenFetchesTheUrlWithTheToken()
    {
        var bytes = Encoding.ASCII.GetBytes("%PDF-1.4");
        var handler = new RecordingHandler(r => r.Uri.AbsolutePath.EndsWith("/777", StringComparison.Ordinal)
            ? RecordingHandler.Json(HttpStatusCode.OK, """{"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=777","mime_type":"application/pdf","sha256":"abc","file_size":"8","id":"777"}""")
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) });

        var download = await Client(handler).DownloadAsync("777", "106540352242922", 100, CancellationToken.None);

        Assert.Equal(MediaFetchResult.Stored, download.Result);
        Assert.Equal(bytes, download.Content);
        Assert.Equal("https://graph.facebook.com/v23.0/777?phone_number_id=106540352242922", handler.Requests[0].Uri.ToString());
        Assert.All(handler.Requests, r => Assert.Equal("Bearer " + Support.Graph.Token, r.Authorization));
    }

    [Fact]
    public async Task P7_Download_NeverSendsTheTokenToAHostThatIsNotMetas()
    {
        var handler = new RecordingHandler(r => r.Uri.Host == "graph.facebook.com"
            ? RecordingHandler.Json(HttpStatusCode.OK, """{"url":"https://evil.example/steal","mime_type":"image/png","id":"1"}""")
            : new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([1]) });

        await Client(handler).DownloadAsync("1", "106540352242922", 100, CancellationToken.None);

        Assert.Null(handler.Requests.Single(r => r.Uri.Host == "evil.example").Authorization);
    }

    [Theory]
    [InlineData(404, """{"error":{"message":"Unsupported get request","code":100}}""", MediaFetchResult.Gone)]
    [InlineData(400, """{"error":{"message":"Media download error","code":131052}}""", MediaFetchResult.Gone)]
    [InlineData(500, """{"error":{"message":"Unknown","code":1}}""", MediaFetchResult.Transient)]
    [InlineData(429, """{"error":{"message":"Rate limit","code":130429}}""", MediaFetchResult.Transient)]
    public async Task P7_Download_ClassifiesMetasRefusals(int status, string body, MediaFetchResult expected)
    {
        var handler = RecordingHandler.Answering((HttpStatusCode)status, body);

        var download = await Client(handler).DownloadAsync("1", "106540352242922", 100, CancellationToken.None);

        Assert.Equal(expected, download.Result);
        Assert.Single(handler.Requests); // a refused lookup is not repeated here: the caller's retry rule decides
    }

    [Fact]
    public async Task P7_Download_OverTheLimit_IsTooLarge_WithoutReadingIt()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """{"url":"https://lookaside.fbsbx.com/x","mime_type":"image/png","file_size":"6000000","id":"1"}""");

        var download = await Client(handler).DownloadAsync("1", "106540352242922", 5 * 1024 * 1024, CancellationToken.None);

        Assert.Equal(MediaFetchResult.TooLarge, download.Result);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task P7_MarkRead_WithAndWithoutTheTypingIndicator()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """{"success":true}""");
        var client = Client(handler);

        Assert.True(await client.MarkReadAsync("106540352242922", "wamid.IN", typing: false, CancellationToken.None));
        Assert.True(await client.MarkReadAsync("106540352242922", "wamid.IN", typing: true, CancellationToken.None));

        Assert.Equal("""{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN"}""", handler.Requests[0].Body);
        Assert.Equal("""{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN","typing_indicator":{"type":"text"}}""", handler.Requests[1].Body);
        Assert.Equal("https://graph.facebook.com/v23.0/106540352242922/messages", handler.Requests[0].Uri.ToString());
    }

    [Fact]
    public async Task P7_Upload_IsMultipartWithMessagingProductAndType_AndAnswersTheId()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, """{"id":"1013859600285441"}""");

        var upload = await Client(handler).UploadAsync("106540352242922", [1, 2, 3], "application/pdf", "nf.pdf", CancellationToken.None);

        Assert.Equal("1013859600285441", upload.MediaId);
        Assert.Equal("multipart/form-data", handler.Requests[0].ContentType);
        Assert.Equal("https://graph.facebook.com/v23.0/106540352242922/media", handler.Requests[0].Uri.ToString());
        Assert.Contains("name=messaging_product", handler.Requests[0].Body, StringComparison.Ordinal);
        Assert.Contains("application/pdf", handler.Requests[0].Body, StringComparison.Ordinal);
    }
}
