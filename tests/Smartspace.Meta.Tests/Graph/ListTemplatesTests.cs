using System.Net;
using Smartspace.Core.Templates;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Graph;

public sealed class ListTemplatesTests
{
    private static string Page(string data, string after, bool hasNext) =>
        "{\"data\":[" + data + "],\"paging\":{\"cursors\":{\"before\":\"QVFIUkxZ\",\"after\":\"" + after + "\"}"
        + (hasNext ? ",\"next\":\"https://graph.facebook.com/v23.0/102290129340398/message_templates?limit=100&after=" + after + "\"" : "")
        + "}}";

    private static string Template(string id, string name, string status) =>
        "{\"name\":\"" + name + "\",\"parameter_format\":\"POSITIONAL\",\"components\":[{\"type\":\"BODY\",\"text\":\"Olá {{1}}\"}],"
        + "\"language\":\"pt_BR\",\"status\":\"" + status + "\",\"category\":\"UTILITY\",\"id\":\"" + id + "\"}";

    [Fact]
    public async Task P5_ListTemplates_FollowsCursorsAcrossThreePages()
    {
        var pages = new Queue<string>([
            Page(Template("1", "a", "APPROVED") + "," + Template("2", "b", "PENDING"), "CURSOR1", hasNext: true),
            Page(Template("3", "c", "REJECTED"), "CURSOR2", hasNext: true),
            Page(Template("4", "d", "PAUSED"), "CURSOR3", hasNext: false),
        ]);
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, pages.Dequeue()));

        var templates = await Support.Graph.Client(handler).ListTemplatesAsync("102290129340398", CancellationToken.None);

        Assert.Equal(["a", "b", "c", "d"], templates.Select(t => t.Name));
        Assert.Equal([TemplateStatus.Approved, TemplateStatus.Pending, TemplateStatus.Rejected, TemplateStatus.Paused], templates.Select(t => t.Status));
        Assert.Equal(3, handler.Requests.Count);
        var fields = "&fields=" + Uri.EscapeDataString(GraphApiClient.TemplateFields);
        Assert.Equal("https://graph.facebook.com/v23.0/102290129340398/message_templates?limit=100" + fields, handler.Requests[0].Uri.OriginalString);
        Assert.EndsWith("&after=CURSOR1", handler.Requests[1].Uri.OriginalString, StringComparison.Ordinal);
        Assert.EndsWith("&after=CURSOR2", handler.Requests[2].Uri.OriginalString, StringComparison.Ordinal);
        Assert.All(handler.Requests, r => Assert.Equal("Bearer " + Support.Graph.Token, r.Authorization));
    }

    [Fact]
    public async Task P5_ListTemplates_GraphError_Throws()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.BadRequest,
            """{"error":{"message":"(#80007) Rate limit","type":"OAuthException","code":80007,"fbtrace_id":"A"}}""");

        var ex = await Assert.ThrowsAsync<GraphApiException>(() => Support.Graph.Client(handler).ListTemplatesAsync("1", CancellationToken.None));

        Assert.Equal(80007, ex.Code);
        Assert.Equal(400, ex.HttpStatus);
    }
}
