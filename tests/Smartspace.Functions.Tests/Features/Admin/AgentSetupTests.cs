using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Admin;

/// <summary>
/// R18 (live events per agent) and the admin API: a supervisor creates and updates the agents of their own contact
/// center. An agent id is the agent's Web PubSub user id, so an id that belongs to another contact center is refused —
/// otherwise that contact center's conversation events would also reach the new agent.
/// </summary>
public sealed class AgentSetupTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task Supervisor_CreatesAndUpdatesAnAgentOfTheirContactCenter()
    {
        var carla = factory.ClientFor("carla", role: AgentRole.Supervisor);

        var created = await carla.PutAsJsonAsync("/api/agent/admin/agents/eva", new { name = "Eva", role = "agent", maxConcurrent = 3 });
        var updated = await carla.PutAsJsonAsync("/api/agent/admin/agents/eva", new { name = "Eva Souza", role = "agent", maxConcurrent = 4 });

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var eva = await factory.AgentAsync("eva");
        Assert.NotNull(eva);
        Assert.Equal(("Eva Souza", 4), (eva.Name, eva.MaxConcurrent));
        Assert.Equal(HandlerFactory.TenantId, await factory.Get<ContactCenterDirectory>().GetTenantOfAgentAsync("eva", CancellationToken.None));
    }

    [Fact]
    public async Task SupervisorOfAnotherContactCenter_CannotTakeAnExistingAgentId_AndNothingChanges()
    {
        var other = factory.ClientFor("elisa", "outro", AgentRole.Supervisor);

        var response = await other.PutAsJsonAsync("/api/agent/admin/agents/ana", new { name = "Ana de outro", role = "agent", maxConcurrent = 2 });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("forbidden", problem.RootElement.GetProperty("code").GetString());
        Assert.Null(await factory.Get<LedgerStore>().GetAgentAsync("outro", "ana", CancellationToken.None));
        Assert.Equal(HandlerFactory.TenantId, await factory.Get<ContactCenterDirectory>().GetTenantOfAgentAsync("ana", CancellationToken.None));
        Assert.Equal("Ana", (await factory.Get<LedgerStore>().GetAgentAsync(HandlerFactory.TenantId, "ana", CancellationToken.None))!.Name.Split(' ')[0]);
    }

    [Fact]
    public async Task AnAgent_CannotManageAgents_AndBadInputIs400()
    {
        var ana = factory.ClientFor("ana");
        var carla = factory.ClientFor("carla", role: AgentRole.Supervisor);

        Assert.Equal(HttpStatusCode.Forbidden, (await ana.PutAsJsonAsync("/api/agent/admin/agents/zeca", new { name = "Zeca", role = "agent", maxConcurrent = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await carla.PutAsJsonAsync("/api/agent/admin/agents/zeca", new { name = "Zeca", role = "chefe", maxConcurrent = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await carla.PutAsJsonAsync("/api/agent/admin/agents/zeca", new { name = "Zeca", role = "agent", maxConcurrent = 0 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await carla.PutAsJsonAsync("/api/agent/admin/agents/ze%20ca", new { name = "Zeca", role = "agent", maxConcurrent = 1 })).StatusCode);
        Assert.Null(await factory.Get<LedgerStore>().GetAgentAsync(HandlerFactory.TenantId, "zeca", CancellationToken.None));
        Assert.Null(await factory.Get<ContactCenterDirectory>().GetTenantOfAgentAsync("zeca", CancellationToken.None));
    }

    public void Dispose() => factory.Dispose();
}
