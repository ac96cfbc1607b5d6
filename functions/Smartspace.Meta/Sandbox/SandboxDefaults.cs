using Smartspace.Core.Templates;

namespace Smartspace.Meta.Sandbox;

/// <summary>The pt_BR templates the sandbox catalog starts with.</summary>
public static class SandboxDefaults
{
    public static IReadOnlyList<MessageTemplate> Templates { get; } =
    [
        new MessageTemplate(
            "1689556908129832",
            "retomada_atendimento",
            "pt_BR",
            "UTILITY",
            TemplateStatus.Approved,
            TemplateParameterFormat.Positional,
            new TemplateHeader.Image("https://example.com/smartspace/retomada-atendimento.jpg"),
            "Olá {{1}}, aqui é da {{2}}. Podemos continuar seu atendimento?",
            "Responda para falar com um agente.",
            [new TemplateButton("QUICK_REPLY", "Sim, continuar"), new TemplateButton("QUICK_REPLY", "Agora não")]),
        new MessageTemplate(
            "1689556908129833",
            "confirmacao_pedido",
            "pt_BR",
            "UTILITY",
            TemplateStatus.Approved,
            TemplateParameterFormat.Named,
            new TemplateHeader.Text("Confirmação de pedido"),
            "Olá {{nome}}, seu pedido {{pedido}} foi confirmado. Podemos ajudar em algo mais?",
            null,
            []),
        new MessageTemplate(
            "1689556908129834",
            "aviso_retorno",
            "pt_BR",
            "UTILITY",
            TemplateStatus.Approved,
            TemplateParameterFormat.Positional,
            TemplateHeader.None.Instance,
            "Olá! Recebemos seu contato e um de nossos agentes vai continuar o atendimento por aqui.",
            null,
            []),
        new MessageTemplate(
            "1689556908129835",
            "oferta_relampago",
            "pt_BR",
            "MARKETING",
            TemplateStatus.Pending,
            TemplateParameterFormat.Positional,
            TemplateHeader.None.Instance,
            "Olá {{1}}, aproveite {{2}}% de desconto só hoje!",
            null,
            []),
        new MessageTemplate(
            "1689556908129836",
            "pesquisa_satisfacao",
            "pt_BR",
            "MARKETING",
            TemplateStatus.Rejected,
            TemplateParameterFormat.Positional,
            TemplateHeader.None.Instance,
            "{{1}}, de 1 a 5, qual nota você dá ao nosso atendimento?",
            null,
            []),
    ];
}
