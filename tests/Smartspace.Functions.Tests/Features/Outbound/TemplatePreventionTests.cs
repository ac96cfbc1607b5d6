using System.Net;
using Smartspace.Core.Text;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Features.MetaWebhook;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Outbound;

/// <summary>
/// R7/P5: a template Meta would refuse (132000 wrong number of values, 132012 header without its image, 132001
/// not approved) is refused before anything is written or sent, so the agent fixes it in "Texto do Modelo"
/// instead of reading a failure afterwards.
/// </summary>
public sealed class TemplatePreventionTests : IDisposable
{
    private const string Typed = "11987654321";
    private readonly HandlerFactory factory = new();

    public static TheoryData<string, object> InvalidParameters => new()
    {
        { "132012: image header without its image", new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace" } } },
        { "132000: one positional value missing", new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria" }, headerImageLink = Desk.HeaderImage } },
        { "132000: one positional value too many", new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "Maria", "Smartspace", "extra" }, headerImageLink = Desk.HeaderImage } },
        { "132000: no values at all", new { name = "retomada_atendimento", language = "pt_BR", headerImageLink = Desk.HeaderImage } },
        { "blank value", new { name = "retomada_atendimento", language = "pt_BR", body = new[] { "  ", "Smartspace" }, headerImageLink = Desk.HeaderImage } },
        { "132000: named value missing", new { name = "confirmacao_pedido", language = "pt_BR", body = new Dictionary<string, string> { ["nome"] = "Maria" } } },
        { "132000: unknown named value", new { name = "confirmacao_pedido", language = "pt_BR", body = new Dictionary<string, string> { ["nome"] = "Maria", ["pedido"] = "#1", ["cpf"] = "x" } } },
        { "132012: image for a header without media", new { name = "confirmacao_pedido", language = "pt_BR", body = new Dictionary<string, string> { ["nome"] = "Maria", ["pedido"] = "#1" }, headerImageLink = Desk.HeaderImage } },
    };

    public static TheoryData<string, object> NotApproved => new()
    {
        { "PENDING", new { name = "promocao_pendente", language = "pt_BR", body = new[] { "Maria" } } },
        { "unknown name", new { name = "nao_existe", language = "pt_BR", body = new[] { "Maria" } } },
        { "unknown language", new { name = "confirmacao_pedido", language = "en_US", body = new Dictionary<string, string> { ["nome"] = "Maria", ["pedido"] = "#1" } } },
    };

    private async Task AssertNothingWrittenOrSentAsync(int sendsBefore = 0, int messagesBefore = 0)
    {
        // The background worker sends only what the outbox holds: no entry, no send, now or later.
        Assert.Equal(0, await factory.CountAsync(Keys.OutboxPrefix));
        Assert.Equal(messagesBefore, await factory.CountAsync("msg|"));
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(sendsBefore, factory.SendCount());
    }

    [Theory]
    [MemberData(nameof(InvalidParameters))]
    public async Task R7_StartWithInvalidTemplateParameters_Is422AndNothingIsSent(string why, object template)
    {
        using var response = await factory.ClientFor("ana").StartAsync(Typed, template);

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_parameters_invalid", PtBr.TemplateParametersMissing);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("reason").GetString()), why);
        Assert.Equal(0, await factory.CountAsync(Keys.ConversationPrefix));
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
        await AssertNothingWrittenOrSentAsync();
    }

    [Theory]
    [MemberData(nameof(NotApproved))]
    public async Task P5_StartWithUnapprovedOrUnknownTemplate_Is422AndNothingIsSent(string why, object template)
    {
        using var response = await factory.ClientFor("ana").StartAsync(Typed, template);

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_not_approved", PtBr.TemplateNotApproved);
        Assert.True(await factory.CountAsync(Keys.ConversationPrefix) == 0, why);
        await AssertNothingWrittenOrSentAsync();
    }

    [Theory]
    [MemberData(nameof(InvalidParameters))]
    public async Task R9_AnotherTemplateWithInvalidParameters_Is422AndNothingIsSent(string why, object template)
    {
        var ana = factory.ClientFor("ana");
        var started = await ana.StartCreatedAsync(Typed, Desk.Retomada());
        await factory.WaitForSendsAsync(started.GetProperty("messages")[0].GetProperty("id").GetString()!, 1);
        var version = (await factory.ConversationAsync(started.ConversationId()))!.Version;

        using var response = await ana.SendTemplateAsync(started.ConversationId(), template);

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_parameters_invalid", PtBr.TemplateParametersMissing);
        Assert.True((await factory.ConversationAsync(started.ConversationId()))!.Version == version, why);
        await AssertNothingWrittenOrSentAsync(sendsBefore: 1, messagesBefore: 1);
    }

    [Theory]
    [MemberData(nameof(NotApproved))]
    public async Task P5_AnotherTemplateNotApproved_Is422AndNothingIsSent(string why, object template)
    {
        var ana = factory.ClientFor("ana");
        var started = await ana.StartCreatedAsync(Typed, Desk.Retomada());
        await factory.WaitForSendsAsync(started.GetProperty("messages")[0].GetProperty("id").GetString()!, 1);

        using var response = await ana.SendTemplateAsync(started.ConversationId(), template);

        await response.AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "template_not_approved", PtBr.TemplateNotApproved);
        Assert.True(factory.SendCount() == 1, why);
        await AssertNothingWrittenOrSentAsync(sendsBefore: 1, messagesBefore: 1);
    }

    [Fact]
    public async Task P5_TemplatePausedAfterItWasQueued_FailsWithoutBeingSent()
    {
        // The first try is held back by a 130429; meanwhile the template is paused (P5), so the retry must not
        // send it: the message fails with the agent's "not approved" text instead.
        factory.Sender.Behaviour = Outcomes.FailThenAccept(1, Outcomes.ThroughputReached);
        var started = await factory.ClientFor("ana").StartCreatedAsync(Typed, Desk.Retomada());
        var ourId = started.GetProperty("messages")[0].GetProperty("id").GetString()!;
        var entry = await factory.WaitForSendsAsync(ourId, 1);

        await (await factory.PostWebhookAsync(WebhookJson.TemplateStatus("retomada_atendimento", "PAUSED"))).AssertOkAsync();
        factory.Clock.SetUtcNow(entry!.GetDateTimeOffset("NextAttemptAt")!.Value);
        Assert.Equal(1, await factory.SweepAsync());

        Assert.Equal(1, factory.SendCount());
        Assert.Null(await factory.OutboxEntryAsync(ourId));
        var message = await factory.MessageAsync(ourId);
        Assert.Equal("failed", message.Status);
        Assert.Equal(132001, message.ErrorCode);
        Assert.Equal(PtBr.TemplateNotApproved, message.ErrorText);
    }

    [Theory]
    [InlineData(132001)]
    [InlineData(132015)]
    [InlineData(132016)]
    public async Task P5_MetaRefusesTheTemplateAsNotApproved_AgentReadsNotApproved_NotTryAgain(int code)
    {
        // The catalog can lag behind Meta (a pause between syncs/webhooks): Meta's answer is shown as "not approved".
        factory.Sender.Behaviour = request => new Meta.Sending.SendOutcome.Rejected(code, "Template is Paused", "template is paused due to low quality", 400,
            Meta.Sending.MetaErrorCodes.Classify(code, 400, request.Attempt));
        var started = await factory.ClientFor("ana").StartCreatedAsync(Typed, Desk.Retomada());
        var ourId = started.GetProperty("messages")[0].GetProperty("id").GetString()!;

        Assert.Null(await factory.WaitForSendsAsync(ourId, 1));

        var message = await factory.MessageAsync(ourId);
        Assert.Equal("failed", message.Status);
        Assert.Equal(code, message.ErrorCode);
        Assert.Equal(PtBr.TemplateNotApproved, message.ErrorText);
        factory.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await factory.SweepAsync());
        Assert.Equal(1, factory.SendCount());
    }

    public void Dispose() => factory.Dispose();
}
