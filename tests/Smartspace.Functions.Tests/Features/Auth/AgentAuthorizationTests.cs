using System.Net;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Auth;

/// <summary>
/// Each request is authorized against the agent's stored row (role, contact center, existence), so a
/// demotion or a removal takes effect at once; per-agent rate limits; the OpenAPI document declares the
/// bearer scheme.
/// </summary>
public sealed class AgentAuthorizationTests : IDisposable
{
    private const int Permits = 5;
    private readonly HandlerFactory factory = new(overrides: new Dictionary<string, string?>
    {
        ["AgentApi:RateLimitPermits"] = Permits.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AgentApi:RateLimitWindow"] = "01:00:00",
    });

    [Fact]
    public async Task Authorization_DemotedSupervisor_LosesSupervisorRightsWithTheSameToken()
    {
        var carla = factory.ClientFor("carla", role: AgentRole.Supervisor);
        await carla.GetJsonAsync("/api/agent/admin/agents");
        var row = (await factory.Get<LedgerStore>().GetAgentAsync(HandlerFactory.TenantId, "carla", CancellationToken.None))!;
        row.Role = AgentRole.Agent;
        await factory.Get<LedgerStore>().SubmitAsync([EntityOperation.Upsert(row.ToEntity())], CancellationToken.None);

        await (await carla.GetAsync("/api/agent/admin/agents")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        var me = await carla.GetJsonAsync("/api/agent/me");
        Assert.Equal("agent", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Authorization_RemovedAgent_IsRefusedWithTheSameToken()
    {
        var bruno = factory.ClientFor("bruno");
        await bruno.GetJsonAsync("/api/agent/me");
        var ledger = factory.Get<LedgerStore>();
        var row = (await ledger.GetAsync(HandlerFactory.TenantId, Keys.Agent("bruno"), CancellationToken.None))!;
        await ledger.SubmitAsync([EntityOperation.Delete(row)], CancellationToken.None);

        await (await bruno.GetAsync("/api/agent/me")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await (await bruno.StartAsync(Desk.Mobile(1), Desk.Retomada())).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Null(await factory.CustomerOfAsync(Desk.Mobile(1)));
    }

    [Fact]
    public async Task Authorization_TokenForAContactCenterTheAgentIsNotIn_IsRefused() =>
        await (await factory.ClientFor("ana", "outro").GetAsync("/api/agent/conversations")).AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");

    [Fact]
    public async Task RateLimit_BeyondTheLimitPerAgent_Is429ProblemWithRetryAfter_OtherAgentsUnaffected()
    {
        var ana = factory.ClientFor("ana");
        for (var i = 0; i < Permits; i++)
        {
            await ana.GetJsonAsync("/api/agent/me");
        }

        using var refused = await ana.GetAsync("/api/agent/me");
        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After: " + refused.Headers.RetryAfter);
        await (await ana.StartAsync(Desk.Mobile(2), Desk.Retomada())).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Null(await factory.CustomerOfAsync(Desk.Mobile(2)));

        await factory.ClientFor("bruno").GetJsonAsync("/api/agent/me");
    }

    [Fact]
    public async Task OpenApi_DeclaresTheBearerScheme_AndRequiresItOnTheAgentApiOnly()
    {
        var document = await factory.CreateClient().GetJsonAsync("/api/openapi/v1.json");

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        var start = paths.GetProperty("/api/agent/conversations").GetProperty("post");
        Assert.Contains(start.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("Bearer", out _));
        var webhook = paths.GetProperty("/api/whatsapp/webhook").GetProperty("post");
        Assert.False(webhook.TryGetProperty("security", out _));
    }

    public void Dispose() => factory.Dispose();
}
