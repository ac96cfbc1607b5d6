using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Smartspace.FunctionApp.Tests.Infrastructure;
using Smartspace.WorkerHost;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.FunctionApp.Tests;

/// <summary>
/// The worker as it runs in Azure (<c>Durable:Enabled</c> off): no runtime of its own, the features reach the entities through
/// the invocation's <c>[DurableClient]</c>. The test host binds that client as the Durable extension does but serves no task
/// hub, so this proves the path — binding, the invocation's client, the adapter — and that a task hub that cannot answer is
/// a 503 problem, never a 500 or a hang.
/// </summary>
[Collection(FunctionAppCollection.Name)]
public sealed class DurableClientTests(FunctionAppFixture fixture)
{
    [Fact]
    public async Task AzureMode_AgentApiReadsTheAgentsEntityThroughItsDurableClient_AnUnansweringTaskHubIs503()
    {
        // The collection's tables (the demo contact center its worker seeded); no seed here: that runs only in local mode.
        var settings = new Dictionary<string, string?>(fixture.AppSettings)
        {
            ["Durable__Enabled"] = "false",
            ["Local__Enabled"] = "false",
        };
        await using var host = await WorkerProtocolHost.StartAsync(new WorkerHostOptions { AppDirectory = fixture.Host.App.Directory, AppSettings = settings });

        var health = await host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/health"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // GET /api/agent/me reads ana's capacity from her entity.
        var me = new HttpRequestMessage(HttpMethod.Get, "/api/agent/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestSecrets.AgentToken("ana", "agent"));
        var result = await host.SendHttpAsync(me);

        Assert.True(result.StatusCode == HttpStatusCode.ServiceUnavailable, $"{result} body: '{result.Body}'");
        Assert.Equal("application/problem+json", result.ContentType);
        using var problem = JsonDocument.Parse(result.Body);
        Assert.Equal(503, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(StatusResult.Types.Status.Success, result.Invocation.Status);
        // The call reached this host through the client the invocation's durableClient input described.
        Assert.Contains(host.UnservedGrpcCalls, c => c.EndsWith("TaskHubSidecarService/GetEntity", StringComparison.Ordinal));
        Assert.Equal(0, (await host.TerminateAsync()).ExitCode);
    }
}
