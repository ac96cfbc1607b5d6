using Smartspace.Core.Templates;
using Smartspace.Meta.Tests.Support;

namespace Smartspace.Meta.Tests.Templates;

public sealed class TemplateValidatorTests
{
    [Fact]
    public void R7_Positional_AllValuesAndImage_IsValid()
    {
        var parameters = TemplateParameters.Positional("Maria", "Loja X").WithHeaderImageLink("https://cdn.example/b.jpg");

        Assert.Empty(TemplateValidator.Validate(Support.Templates.RetomadaWithImage(), parameters));
    }

    [Fact]
    public void R7_Positional_MissingValue_Is132000()
    {
        var parameters = TemplateParameters.Positional("Maria").WithHeaderImageLink("https://cdn.example/b.jpg");

        var problem = Assert.Single(TemplateValidator.Validate(Support.Templates.RetomadaWithImage(), parameters));

        Assert.Equal(TemplateProblemKind.MissingParameter, problem.Kind);
        Assert.Equal(132000, problem.MetaErrorCode);
    }

    [Fact]
    public void R7_Positional_ExtraValue_Is132000()
    {
        var parameters = TemplateParameters.Positional("Maria", "Loja X", "demais").WithHeaderImageLink("https://cdn.example/b.jpg");

        var problem = Assert.Single(TemplateValidator.Validate(Support.Templates.RetomadaWithImage(), parameters));

        Assert.Equal(TemplateProblemKind.ExtraParameter, problem.Kind);
        Assert.Equal(132000, problem.MetaErrorCode);
    }

    [Fact]
    public void R7_ImageHeaderWithoutImage_Is132012()
    {
        var problem = Assert.Single(TemplateValidator.Validate(Support.Templates.RetomadaWithImage(), TemplateParameters.Positional("Maria", "Loja X")));

        Assert.Equal(TemplateProblemKind.HeaderMediaMissing, problem.Kind);
        Assert.Equal(132012, problem.MetaErrorCode);
        Assert.Contains("expected IMAGE", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void R7_EmptyValue_IsAProblem()
    {
        var parameters = TemplateParameters.Positional("  ", "Loja X").WithHeaderMediaId("123");

        var problem = Assert.Single(TemplateValidator.Validate(Support.Templates.RetomadaWithImage(), parameters));

        Assert.Equal(TemplateProblemKind.EmptyParameter, problem.Kind);
    }

    [Fact]
    public void R7_ValueWithNewLine_Is132018()
    {
        var parameters = TemplateParameters.Positional("Maria\nSouza", "Loja X").WithHeaderMediaId("123");

        var problem = Assert.Single(TemplateValidator.Validate(Support.Templates.RetomadaWithImage(), parameters));

        Assert.Equal(132018, problem.MetaErrorCode);
    }

    [Fact]
    public void R7_Named_AllNames_IsValid_InAnyOrder()
    {
        var parameters = TemplateParameters.Named(new Dictionary<string, string> { ["pedido"] = "#4411", ["nome"] = "Maria" });

        Assert.Empty(TemplateValidator.Validate(Support.Templates.ConfirmacaoPedido(), parameters));
    }

    [Fact]
    public void R7_Named_MissingAndUnknownNames_AreEachReported()
    {
        var parameters = TemplateParameters.Named(new Dictionary<string, string> { ["nome"] = "Maria", ["cpf"] = "123" });

        var problems = TemplateValidator.Validate(Support.Templates.ConfirmacaoPedido(), parameters);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Kind == TemplateProblemKind.MissingParameter && p.Detail.Contains("pedido", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Kind == TemplateProblemKind.UnknownParameter && p.Detail.Contains("cpf", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.Equal(132000, p.MetaErrorCode));
    }

    [Fact]
    public void R7_Named_GivenPositionalValues_IsAProblem()
    {
        var problems = TemplateValidator.Validate(Support.Templates.ConfirmacaoPedido(), TemplateParameters.Positional("Maria", "#4411"));

        Assert.Contains(problems, p => p.Kind == TemplateProblemKind.ExtraParameter);
        Assert.Contains(problems, p => p.Kind == TemplateProblemKind.MissingParameter);
    }

    [Fact]
    public void R7_MediaGivenForTextHeader_Is132012()
    {
        var parameters = TemplateParameters.Named(new Dictionary<string, string> { ["nome"] = "Maria", ["pedido"] = "1" }).WithHeaderMediaId("9");

        var problem = Assert.Single(TemplateValidator.Validate(Support.Templates.ConfirmacaoPedido(), parameters));

        Assert.Equal(TemplateProblemKind.HeaderMediaNotExpected, problem.Kind);
    }

    [Fact]
    public void R7_DynamicUrlButton_NeedsAValue()
    {
        var template = Support.Templates.NamedOrder() with
        {
            BodyText = "Olá",
            ParameterFormat = TemplateParameterFormat.Positional,
            Buttons = [new TemplateButton("URL", "Rastrear", "https://loja.example/pedido/{{1}}")],
        };

        var problem = Assert.Single(TemplateValidator.Validate(template, TemplateParameters.Empty));
        Assert.Equal(TemplateProblemKind.ButtonValueMissing, problem.Kind);
        Assert.Empty(TemplateValidator.Validate(template, TemplateParameters.Empty with { UrlButtonValues = new Dictionary<int, string> { [0] = "4411" } }));
    }

    [Theory]
    [InlineData(TemplateStatus.Pending, 132001)]
    [InlineData(TemplateStatus.Rejected, 132001)]
    [InlineData(TemplateStatus.Paused, 132015)]
    [InlineData(TemplateStatus.Disabled, 132016)]
    public void P5_NotApproved_IsNotSendable(TemplateStatus status, int code)
    {
        var template = Support.Templates.RetomadaWithImage(status);
        var parameters = TemplateParameters.Positional("Maria", "Loja X").WithHeaderImageLink("https://cdn.example/b.jpg");

        var problem = Assert.Single(TemplateValidator.Validate(template, parameters));

        Assert.False(template.IsSendable);
        Assert.Equal(TemplateProblemKind.NotSendable, problem.Kind);
        Assert.Equal(code, problem.MetaErrorCode);
    }

    [Fact]
    public void P5_OnlyApproved_IsSendable()
    {
        Assert.True(Support.Templates.RetomadaWithImage().IsSendable);
        Assert.All(
            Enum.GetValues<TemplateStatus>().Where(s => s != TemplateStatus.Approved),
            s => Assert.False(Support.Templates.RetomadaWithImage(s).IsSendable));
    }
}
