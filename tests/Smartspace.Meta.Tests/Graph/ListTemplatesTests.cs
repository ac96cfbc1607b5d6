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

        var listing = await Support.Graph.Client(handler).ListTemplatesAsync("102290129340398", CancellationToken.None);
        var templates = listing.Templates;

        Assert.True(listing.Complete);

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
    public async Task P5_ListTemplates_GraphError_IsReportedNotThrown()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.BadRequest,
            """{"error":{"message":"(#80007) Rate limit","type":"OAuthException","code":80007,"fbtrace_id":"A"}}""");

        var listing = await Support.Graph.Client(handler).ListTemplatesAsync("1", CancellationToken.None);

        Assert.False(listing.Complete);
        Assert.Empty(listing.Templates);
        Assert.Equal(new TemplateListingProblem(1, 80007, 400, "HTTP 400: (#80007) Rate limit"), listing.Problem);
    }

    [Theory]
    [InlineData("<html>Service temporarily unavailable</html>", "the answer is not JSON")]
    [InlineData("{\"error_free\":true}", "the answer has no data array")]
    [InlineData("[1,2]", "the answer has no data array")]
    public async Task P5_ListTemplates_MalformedPageAfterAGoodOne_KeepsTheGoodPageAndSaysWhichFailed(string badBody, string reason)
    {
        var pages = new Queue<string>([Page(Template("1", "a", "APPROVED"), "CURSOR1", hasNext: true), badBody]);
        var handler = new RecordingHandler(_ => RecordingHandler.Json(HttpStatusCode.OK, pages.Dequeue()));

        var listing = await Support.Graph.Client(handler).ListTemplatesAsync("1", CancellationToken.None);

        Assert.Equal(["a"], listing.Templates.Select(t => t.Name));
        Assert.Equal(new TemplateListingProblem(2, null, 200, reason), listing.Problem);
    }

    [Fact]
    public async Task P5_ListTemplates_TimeoutOrUnreachable_IsReportedNotThrown()
    {
        var timedOut = await Support.Graph.Client(RecordingHandler.Throwing(new TaskCanceledException("timeout"))).ListTemplatesAsync("1", CancellationToken.None);
        var unreachable = await Support.Graph.Client(RecordingHandler.Throwing(new HttpRequestException(HttpRequestError.ConnectionError, "refused")))
            .ListTemplatesAsync("1", CancellationToken.None);

        Assert.Equal(new TemplateListingProblem(1, null, null, "the Graph API did not answer in time"), timedOut.Problem);
        Assert.Equal(new TemplateListingProblem(1, null, null, "the Graph API could not be reached: ConnectionError"), unreachable.Problem);
    }

    [Fact]
    public async Task P5_ListTemplates_CallersCancellation_StillThrows()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var handler = new RecordingHandler(_ => throw new TaskCanceledException("cancelled"));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Support.Graph.Client(handler).ListTemplatesAsync("1", cancelled.Token));
    }
}
