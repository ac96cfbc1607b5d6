using Smartspace.Core.Templates;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Templates;

public sealed class TemplateRendererTests
{
    [Fact]
    public void R7_Positional_FillsBodyAndUsesGivenImage()
    {
        var preview = TemplateRenderer.Render(
            Support.Templates.RetomadaWithImage(),
            TemplateParameters.Positional("Maria", "Loja X").WithHeaderImageLink("https://cdn.example/b.jpg"));

        Assert.Equal("Olá Maria, aqui é da Loja X. Podemos continuar seu atendimento?", preview.Body);
        Assert.Equal("https://cdn.example/b.jpg", preview.HeaderMediaUrl);
        Assert.IsType<TemplateHeader.Image>(preview.Header);
    }

    [Fact]
    public void R7_Positional_MissingValueStaysAsPlaceholder_AndExampleImageIsShown()
    {
        var preview = TemplateRenderer.Render(Support.Templates.RetomadaWithImage(), TemplateParameters.Positional("Maria"));

        Assert.Equal("Olá Maria, aqui é da {{2}}. Podemos continuar seu atendimento?", preview.Body);
        Assert.Equal("https://example.com/example.jpg", preview.HeaderMediaUrl);
    }

    [Fact]
    public void R7_Named_FillsByName()
    {
        var preview = TemplateRenderer.Render(
            Support.Templates.ConfirmacaoPedido(),
            TemplateParameters.Named(new Dictionary<string, string> { ["pedido"] = "#4411", ["nome"] = "Maria" }));

        Assert.Equal("Confirmação de pedido", preview.HeaderText);
        Assert.Equal("Olá Maria, seu pedido #4411 foi confirmado. Podemos ajudar em algo mais?", preview.Body);
        Assert.Equal("Confirmação de pedido\n\nOlá Maria, seu pedido #4411 foi confirmado. Podemos ajudar em algo mais?", preview.ToPlainText());
    }

    [Fact]
    public void R7_TextHeaderVariable_IsFilled()
    {
        var template = Support.Templates.RetomadaWithImage() with { Header = new TemplateHeader.Text("Pedido {{1}}") };

        var preview = TemplateRenderer.Render(template, TemplateParameters.Positional("a", "b") with { HeaderText = "#77" });

        Assert.Equal("Pedido #77", preview.HeaderText);
        Assert.Null(preview.HeaderMediaUrl);
    }
}
