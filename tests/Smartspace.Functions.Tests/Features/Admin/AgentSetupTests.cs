using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Functions.Features.Seed;
using Smartspace.Functions.Features.Templates;
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

    /// <summary>
    /// A restart seeds again. After a crash, an orchestration of the dead host may hold an agent's entity for minutes
    /// (the runtime hides its answers until the orchestration replays); seeding must neither wait on that entity nor fail
    /// the start: an unchanged agent is left alone, and an update that cannot complete now is left to complete later.
    /// </summary>
    [Fact]
    public async Task Reseeding_DoesNotWaitOnAHeldAgentEntity_AndSeedsTheRest()
    {
        var held = new HeldAgentEntities(factory.Get<IConversationEntities>());
        var seed = new SeedLoader(factory.Get<ContactCenterDirectory>(), factory.Get<LedgerStore>(), held, factory.Get<TemplateCatalog>(), NullLogger<SeedLoader>.Instance);
        using var tenant = JsonDocument.Parse("""
            { "id": "demo", "name": "Contact Center Demo", "agents": [
                { "id": "ana", "name": "Ana Souza", "role": "agent", "maxConcurrent": 3, "available": true },
                { "id": "bruno", "name": "Bruno Lima", "role": "agent", "maxConcurrent": 4, "available": true } ],
              "qualifications": [ { "id": "reseeded", "name": "Semeada de novo" } ] }
            """);

        await seed.LoadTenantAsync(tenant.RootElement, CancellationToken.None);

        // Ana is unchanged: no update at all. Bruno's maximum changed: the update was asked for (and here it cannot finish).
        Assert.Equal(["bruno"], held.Updates.ToArray());
        Assert.Equal(3, (await factory.AgentAsync("ana"))!.MaxConcurrent);
        Assert.NotNull(await factory.Get<LedgerStore>().GetAsync(HandlerFactory.TenantId, Keys.Reason("reseeded"), CancellationToken.None));
    }

    /// <summary>Every call goes through, but an agent update times out as it does when another orchestration holds the entity.</summary>
    private sealed class HeldAgentEntities(IConversationEntities inner) : DelegatingConversationEntities(inner)
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Updates { get; } = new();

        public override Task<AgentCapacityState> UpdateAgentAsync(UpdateAgentInput input, CancellationToken ct)
        {
            Updates.Enqueue(input.AgentId);
            throw new TimeoutException("No outcome within 120 s.");
        }
    }

    public void Dispose() => factory.Dispose();
}
