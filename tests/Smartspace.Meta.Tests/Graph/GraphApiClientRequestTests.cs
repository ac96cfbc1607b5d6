using System.Net;
using Smartspace.Core.Templates;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Graph;

/// <summary>The bodies GraphApiClient sends, compared byte for byte (minified) with Meta's documented examples (reference §9–10).</summary>
public sealed class GraphApiClientRequestTests
{
    private const string Accepted = """
        {"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"wamid.HBgLMTIzNDU2Nzg5MA==","message_status":"accepted"}]}
        """;

    [Fact]
    public async Task R6_TextSend_PostsMetaDocumentedBody_WithBearerAndOurMessageId()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var client = Support.Graph.Client(handler);

        await client.SendTextAsync("106540352242922", "+5511987654321", "Olá!", "out-7f3c");

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://graph.facebook.com/v23.0/106540352242922/messages", request.Uri.ToString());
        Assert.Equal("Bearer " + Support.Graph.Token, request.Authorization);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(
            Support.Graph.Minify("""
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"+5511987654321",
                 "type":"text","text":{"preview_url":false,"body":"Olá!"},"biz_opaque_callback_data":"out-7f3c"}
                """),
            Support.Graph.Minify(request.Body));
    }

    [Fact]
    public async Task R6_TextSend_AddsPlusToNumberWithoutIt()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);

        await Support.Graph.Client(handler).SendTextAsync("106540352242922", "5511987654321", "Oi", "out-1");

        using var body = System.Text.Json.JsonDocument.Parse(handler.Requests[0].Body);
        Assert.Equal("+5511987654321", body.RootElement.GetProperty("to").GetString());
    }

    [Fact]
    public async Task R7_TemplateSend_PositionalWithImageLink_MatchesMetaExample()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var parameters = TemplateParameters.Positional("Maria", "#4411").WithHeaderImageLink("https://cdn.example/banner.jpg");

        await Support.Graph.Client(handler).SendTemplateAsync("106540352242922", "+5511987654321", Support.Templates.RetomadaWithImage(), parameters, "out-7f3c");

        Assert.Equal(
            Support.Graph.Minify("""
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"+5511987654321","type":"template",
                 "template":{"name":"retomada_atendimento","language":{"code":"pt_BR"},"components":[
                   {"type":"header","parameters":[{"type":"image","image":{"link":"https://cdn.example/banner.jpg"}}]},
                   {"type":"body","parameters":[{"type":"text","text":"Maria"},{"type":"text","text":"#4411"}]}]},
                 "biz_opaque_callback_data":"out-7f3c"}
                """),
            Support.Graph.Minify(handler.Requests[0].Body));
    }

    [Fact]
    public async Task R7_TemplateSend_MediaIdHeader_UsesIdInsteadOfLink()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var parameters = TemplateParameters.Positional("Maria", "Loja X").WithHeaderMediaId("1479537139650973");

        await Support.Graph.Client(handler).SendTemplateAsync("106540352242922", "+5511987654321", Support.Templates.RetomadaWithImage(), parameters, "out-9");

        Assert.Contains(
            Support.Graph.Minify("""{"type":"header","parameters":[{"type":"image","image":{"id":"1479537139650973"}}]}"""),
            Support.Graph.Minify(handler.Requests[0].Body),
            StringComparison.Ordinal);
        Assert.DoesNotContain("\"link\"", handler.Requests[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R7_TemplateSend_NamedParameters_CarryParameterName()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var parameters = TemplateParameters.Named(new Dictionary<string, string> { ["order_id"] = "#4411", ["first_name"] = "Jessica" });

        await Support.Graph.Client(handler).SendTemplateAsync("106540352242922", "+15551234567", Support.Templates.NamedOrder(), parameters, "out-2");

        Assert.Equal(
            Support.Graph.Minify("""
                {"messaging_product":"whatsapp","recipient_type":"individual","to":"+15551234567","type":"template",
                 "template":{"name":"order_update","language":{"code":"en_US"},"components":[
                   {"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Jessica"},
                                                {"type":"text","parameter_name":"order_id","text":"#4411"}]}]},
                 "biz_opaque_callback_data":"out-2"}
                """),
            Support.Graph.Minify(handler.Requests[0].Body));
    }

    [Fact]
    public async Task R7_TemplateSend_WithoutVariables_OmitsComponents()
    {
        var handler = RecordingHandler.Answering(HttpStatusCode.OK, Accepted);
        var template = Support.Templates.NamedOrder() with { BodyText = "Olá!", ParameterFormat = TemplateParameterFormat.Positional };

        await Support.Graph.Client(handler).SendTemplateAsync("1", "+5511987654321", template, TemplateParameters.Empty, "out-3");

        Assert.DoesNotContain("components", handler.Requests[0].Body, StringComparison.Ordinal);
    }
}
