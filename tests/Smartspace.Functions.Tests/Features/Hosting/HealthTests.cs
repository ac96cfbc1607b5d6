using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Hosting;

/// <summary><c>GET /api/health</c> reports whether the store answers; an unavailable store is a 503, never a 500.</summary>
public sealed class HealthTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    [Fact]
    public async Task Hosting_Health_IsHealthyWhenTheStoreAnswers()
    {
        using var response = await factory.CreateClient().GetAsync("/api/health");
        var body = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("reachable", body.GetProperty("store").GetString());
    }

    [Fact]
    public async Task Hosting_Health_Is503WhenTheStoreIsDown_AndSoIsTheAgentApi()
    {
        using var wrapped = SwitchableStore.Wrap(factory);
        var store = wrapped.Services.GetRequiredService<SwitchableStore>();
        var client = wrapped.CreateClient();
        var token = wrapped.Services.GetRequiredService<Functions.Features.Auth.AgentTokenIssuer>().Issue(HandlerFactory.TenantId, "ana", Core.Conversations.AgentRole.Agent);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        store.Down = true;
        using (var health = await client.GetAsync("/api/health"))
        {
            var body = await health.ReadJsonAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("unhealthy", body.GetProperty("status").GetString());
            Assert.Equal("unreachable", body.GetProperty("store").GetString());
        }

        using (var start = await client.StartAsync(Desk.Mobile(1), Desk.Retomada()))
        {
            await start.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "store_unavailable");
        }

        store.Down = false;
        using var healthy = await client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
    }

    public void Dispose() => factory.Dispose();
}
