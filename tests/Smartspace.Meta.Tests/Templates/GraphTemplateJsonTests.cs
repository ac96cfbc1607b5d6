using System.Text.Json;
using Smartspace.Core.Templates;

namespace Smartspace.Meta.Tests.Templates;

public sealed class GraphTemplateJsonTests
{
    [Fact]
    public void R7_Parse_GraphShape_WithImageHeaderFooterAndButtons()
    {
        using var doc = JsonDocument.Parse("""
            {"name":"retomada_atendimento","parameter_format":"POSITIONAL","components":[
              {"type":"HEADER","format":"IMAGE","example":{"header_handle":["https://scontent.example/h.jpg"]}},
              {"type":"BODY","text":"Olá {{1}}, aqui é da {{2}}.","example":{"body_text":[["Maria","Loja X"]]}},
              {"type":"FOOTER","text":"Smartspace"},
              {"type":"BUTTONS","buttons":[{"type":"QUICK_REPLY","text":"Sim"},{"type":"URL","text":"Site","url":"https://x.example/{{1}}","example":["https://x.example/a"]},
                                           {"type":"PHONE_NUMBER","text":"Ligar","phone_number":"+551130000000"}]}],
             "language":"pt_BR","status":"APPROVED","category":"UTILITY","id":"1689556908129832"}
            """);

        Assert.True(GraphTemplateJson.TryParse(doc.RootElement, out var template));

        Assert.Equal("1689556908129832", template!.Id);
        Assert.Equal(TemplateStatus.Approved, template.Status);
        Assert.Equal(TemplateParameterFormat.Positional, template.ParameterFormat);
        Assert.Equal(new TemplateHeader.Image("https://scontent.example/h.jpg"), template.Header);
        Assert.Equal(["1", "2"], template.BodyVariables);
        Assert.Equal("Smartspace", template.FooterText);
        Assert.Equal(3, template.Buttons.Count);
        Assert.Equal("+551130000000", template.Buttons[2].PhoneNumber);
        Assert.Equal([1], template.UrlButtonsWithVariable);
    }

    [Fact]
    public void R7_Parse_NamedWithoutParameterFormatField_IsInferred_AndLanguageNormalised()
    {
        using var doc = JsonDocument.Parse("""
            {"name":"confirmacao_pedido","components":[{"type":"BODY","text":"Olá {{nome}}, pedido {{pedido}}"}],"language":"pt-BR","status":"PENDING","category":"UTILITY","id":"1"}
            """);

        Assert.True(GraphTemplateJson.TryParse(doc.RootElement, out var template));

        Assert.Equal(TemplateParameterFormat.Named, template!.ParameterFormat);
        Assert.Equal("pt_BR", template.Language);
        Assert.Equal(TemplateStatus.Pending, template.Status);
        Assert.IsType<TemplateHeader.None>(template.Header);
    }

    [Fact]
    public void R7_WriteThenParse_RoundTrips()
    {
        var original = Smartspace.Meta.Sandbox.SandboxDefaults.Templates[0];
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            GraphTemplateJson.Write(writer, original);
        }

        using var doc = JsonDocument.Parse(buffer.ToArray());
        Assert.True(GraphTemplateJson.TryParse(doc.RootElement, out var parsed));
        Assert.Equal(original.Name, parsed!.Name);
        Assert.Equal(original.Header, parsed.Header);
        Assert.Equal(original.BodyText, parsed.BodyText);
        Assert.Equal(original.Buttons, parsed.Buttons);
        Assert.Equal(original.Status, parsed.Status);
    }

    [Fact]
    public void P5_UnknownStatusWord_IsUnknown_AndNotSendable()
    {
        using var doc = JsonDocument.Parse("""{"name":"x","components":[{"type":"BODY","text":"Oi"}],"language":"pt_BR","status":"SOMETHING_NEW","category":"UTILITY","id":"1"}""");

        Assert.True(GraphTemplateJson.TryParse(doc.RootElement, out var template));
        Assert.Equal(TemplateStatus.Unknown, template!.Status);
        Assert.False(template.IsSendable);
    }
}
