using System.Net;
using Smartspace.Core.Conversations;
using Smartspace.Core.Text;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Conversations;

/// <summary>"Finalizar Atendimento" (R16).</summary>
public sealed class FinishConversationTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task R16_FinishWithQualificationAndDescription_SavesBoth()
    {
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(1), Desk.Retomada())).ConversationId();

        using var finish = await ana.FinishAsync(id, "reclamacao", "  Cliente relatou atraso na entrega.  ");
        var body = await finish.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Equal(PtBr.ConversationFinished, body.GetProperty("notice").GetString());
        Assert.Equal("closed", body.Stage());
        var saved = (await factory.ConversationAsync(id))!;
        Assert.Equal(ConversationStage.Closed, saved.Stage);
        Assert.Equal("reclamacao", saved.QualificationId);
        Assert.Equal("Reclamação", saved.QualificationName);
        Assert.Equal("Cliente relatou atraso na entrega.", saved.Description);
        Assert.Null((await factory.CustomerOfAsync(Desk.Mobile(1)))!.CurrentConversationId);
    }

    [Fact]
    public async Task R16_FinishWithoutQualification_IsAccepted()
    {
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(2), Desk.Retomada())).ConversationId();

        await ana.FinishOkAsync(id);

        var saved = (await factory.ConversationAsync(id))!;
        Assert.Equal(ConversationStage.Closed, saved.Stage);
        Assert.Null(saved.QualificationId);
        Assert.Null(saved.Description);
    }

    [Fact]
    public async Task R16_UnknownQualification_IsRefusedAndNothingChanges()
    {
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(3), Desk.Retomada())).ConversationId();

        await (await ana.FinishAsync(id, "nao_existe")).AssertProblemAsync(HttpStatusCode.UnprocessableEntity, "qualification_unknown", PtBr.QualificationUnknown);

        Assert.Equal(ConversationStage.AwaitingReply, (await factory.ConversationAsync(id))!.Stage);
        Assert.Equal([id], (await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R16_FinishTwice_IsIdempotent()
    {
        // No outbound message, so nothing but the finish changes the conversation.
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(4), "wamid.R16.twice");
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(4))).ConversationId();
        await ana.FinishOkAsync(id, "duvida");
        var first = (await factory.ConversationAsync(id))!;

        using var again = await ana.FinishAsync(id, "duvida");

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = (await factory.ConversationAsync(id))!;
        Assert.Equal(first.Version, second.Version);
        Assert.Equal(first.ClosedAt, second.ClosedAt);
        Assert.Single(await factory.Get<Ledger.LedgerStore>().QueryAllAsync(HandlerFactory.TenantId, Ledger.Keys.HistoryPrefix, CancellationToken.None), h => h.GetString("ConversationId") == id);
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R16_FinishFreesOneUnitOfCapacity()
    {
        var bruno = factory.ClientFor("bruno"); // maximum 2
        var a = (await bruno.StartCreatedAsync(Desk.Mobile(5), Desk.Retomada())).ConversationId();
        await bruno.StartCreatedAsync(Desk.Mobile(6), Desk.Retomada());
        await (await bruno.StartAsync(Desk.Mobile(7), Desk.Retomada())).AssertProblemAsync(HttpStatusCode.Conflict, "agent_at_capacity", PtBr.AgentAtCapacity);

        await bruno.FinishOkAsync(a);
        var me = await bruno.GetJsonAsync("/api/agent/me");
        Assert.Equal(1, me.GetProperty("open").GetInt32());

        await bruno.StartCreatedAsync(Desk.Mobile(7), Desk.Retomada());
        Assert.Equal(2, (await factory.AgentAsync("bruno"))!.OpenConversationIds.Count);
    }

    [Fact]
    public async Task R16_OnlyTheHolderOrASupervisorFinishes()
    {
        var id = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(8), Desk.Retomada())).ConversationId();

        await (await factory.ClientFor("bruno").FinishAsync(id)).AssertProblemAsync(HttpStatusCode.Forbidden, "not_conversation_owner");
        Assert.Equal(ConversationStage.AwaitingReply, (await factory.ConversationAsync(id))!.Stage);

        await factory.ClientFor("carla", role: AgentRole.Supervisor).FinishOkAsync(id, "venda");
        Assert.Equal(ConversationStage.Closed, (await factory.ConversationAsync(id))!.Stage);
        Assert.Empty((await factory.AgentAsync("ana"))!.OpenConversationIds);
    }

    [Fact]
    public async Task R16_FinishedConversationTakesNoMoreMessages()
    {
        await factory.NobodyAvailableAsync();
        await factory.CustomerWritesAsync(Desk.Mobile(9), "wamid.R16.1");
        var ana = factory.ClientFor("ana");
        var id = (await ana.StartCreatedAsync(Desk.Mobile(9))).ConversationId();
        await ana.FinishOkAsync(id);

        await (await ana.SendTextAsync(id, "mais uma")).AssertProblemAsync(HttpStatusCode.Conflict, "conversation_closed", PtBr.ConversationClosed);
        await (await ana.SendTemplateAsync(id, Desk.Confirmacao())).AssertProblemAsync(HttpStatusCode.Conflict, "conversation_closed");
    }

    public void Dispose() => factory.Dispose();
}
