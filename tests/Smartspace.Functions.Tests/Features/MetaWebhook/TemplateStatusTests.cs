using System.Net;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.MetaWebhook;

/// <summary>P5: message_template_status_update changes what the agent may pick (only APPROVED is offered or sent).</summary>
public sealed class TemplateStatusTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    private async Task<List<string>> ListedAsync()
    {
        var response = await factory.ClientFor("ana").GetAsync($"/api/agent/channels/{HandlerFactory.ChannelId}/templates");
        await response.AssertOkAsync();
        var json = await response.ReadJsonAsync();
        return json.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
    }

    [Fact]
    public async Task P5_PausedTemplateDisappears_AndReturnsWhenApprovedAgain()
    {
        Assert.Equal(["confirmacao_pedido", "retomada_atendimento"], await ListedAsync());

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED"))).AssertOkAsync();
        Assert.Equal(["confirmacao_pedido"], await ListedAsync());

        var start = await factory.ClientFor("ana").PostJsonAsync("/api/agent/conversations", new
        {
            number = "11987654321",
            template = new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" }, headerImageLink = "https://example.com/a.jpg" },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, start.StatusCode);
        Assert.Equal("template_not_approved", (await start.ReadJsonAsync()).GetProperty("code").GetString());

        // Meta's example writes the language as "pt-BR" here, while sends use "pt_BR".
        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "APPROVED", language: "pt-BR"))).AssertOkAsync();
        Assert.Equal(["confirmacao_pedido", "retomada_atendimento"], await ListedAsync());
    }

    [Theory]
    [InlineData("REJECTED")]
    [InlineData("DISABLED")]
    [InlineData("PENDING")]
    [InlineData("FLAGGED")]
    [InlineData("SOME_FUTURE_EVENT")]
    public async Task P5_AnyNonApprovedEvent_RemovesTheTemplate(string @event)
    {
        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("confirmacao_pedido", @event))).AssertOkAsync();

        Assert.Equal(["retomada_atendimento"], await ListedAsync());
    }

    [Fact]
    public async Task P5_ReinstatedTemplate_IsOfferedAgain()
    {
        // REINSTATED returns a paused/flagged template to APPROVED (reference §8).
        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "FLAGGED"))).AssertOkAsync();
        Assert.DoesNotContain("retomada_atendimento", await ListedAsync());

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "REINSTATED"))).AssertOkAsync();

        Assert.Contains("retomada_atendimento", await ListedAsync());
    }

    [Fact]
    public async Task P5_PendingTemplateApprovedByMeta_IsOffered()
    {
        Assert.DoesNotContain("promocao_pendente", await ListedAsync());

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("promocao_pendente", "APPROVED"))).AssertOkAsync();

        Assert.Contains("promocao_pendente", await ListedAsync());
    }

    [Fact]
    public async Task P5_UpdateForUnknownWaba_Is200AndCounted()
    {
        var before = await factory.SnapshotAsync();

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED", wabaId: "999999999999999"))).AssertOkAsync();

        Assert.Equal(1, factory.Get<WebhookMetrics>().UnknownChannelCount);
        Assert.Equal(before, await factory.SnapshotAsync());
        Assert.Contains("retomada_atendimento", await ListedAsync());
    }

    public void Dispose() => factory.Dispose();
}
