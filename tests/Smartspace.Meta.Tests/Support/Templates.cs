using Smartspace.Core.Templates;

namespace Smartspace.Meta.Tests.Support;

internal static class Templates
{
    public static MessageTemplate RetomadaWithImage(TemplateStatus status = TemplateStatus.Approved) => new(
        "1689556908129832", "retomada_atendimento", "pt_BR", "UTILITY", status, TemplateParameterFormat.Positional,
        new TemplateHeader.Image("https://example.com/example.jpg"),
        "Olá {{1}}, aqui é da {{2}}. Podemos continuar seu atendimento?", null, []);

    public static MessageTemplate NamedOrder() => new(
        "1689556908129900", "order_update", "en_US", "UTILITY", TemplateStatus.Approved, TemplateParameterFormat.Named,
        TemplateHeader.None.Instance,
        "Hi {{first_name}}, your order {{order_id}} has shipped.", null, []);

    public static MessageTemplate ConfirmacaoPedido() => new(
        "1689556908129833", "confirmacao_pedido", "pt_BR", "UTILITY", TemplateStatus.Approved, TemplateParameterFormat.Named,
        new TemplateHeader.Text("Confirmação de pedido"),
        "Olá {{nome}}, seu pedido {{pedido}} foi confirmado. Podemos ajudar em algo mais?", null, []);
}
