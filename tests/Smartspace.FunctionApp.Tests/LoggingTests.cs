using System.Net;
using Smartspace.FunctionApp.Tests.Infrastructure;

namespace Smartspace.FunctionApp.Tests;

/// <summary>What the worker logs (RpcLog to the host, and its console) never carries a secret or a full phone number.</summary>
[Collection(FunctionAppCollection.Name)]
public sealed class LoggingTests(FunctionAppFixture fixture)
{
    [Fact]
    public async Task NoSecretTokenOrFullNumber_InWorkerLogsOrOutput_AfterWebhookAgentAndTimerTraffic()
    {
        var unique = Guid.NewGuid().ToString("N")[..10];
        const string from = "5511977776543";
        var webhook = await fixture.PostWebhookAsync(WebhookPayloads.Text("100200300400500", from, "wamid.LOG" + unique, DateTimeOffset.UtcNow, "texto " + unique, "Log " + unique));
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
        // The customer's entity places the message after the 200: its logs count too.
        await fixture.WaitForConversationAsync("Log " + unique);
        var forged = await fixture.PostWebhookAsync(WebhookPayloads.Text("100200300400500", from, "wamid.LOGX" + unique, DateTimeOffset.UtcNow, "x", "x"), signature: "sha256=00");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        var verify = await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"));
        Assert.Equal(HttpStatusCode.Forbidden, verify.StatusCode);
        var me = await fixture.AgentGetAsync("/api/agent/me", "ana", "agent");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        foreach (var timer in fixture.Host.Functions.Where(f => f.IsTimerTrigger))
        {
            Assert.True((await fixture.Host.InvokeTimerAsync(timer.Name)).Succeeded, timer.Name);
        }

        var logs = fixture.Host.Logs.Select(l => l.FullText + " " + l.Log.Properties).Append(fixture.Host.Output).ToArray();
        Assert.NotEmpty(fixture.Host.Logs); // the check below means something only if the worker logs at all
        foreach (var secret in TestSecrets.All.Append(from))
        {
            var leaks = logs.Where(l => l.Contains(secret, StringComparison.Ordinal)).Take(3).ToArray();
            Assert.True(leaks.Length == 0, $"'{secret[..6]}…' logged: {string.Join(Environment.NewLine, leaks)}");
        }
    }

    [Fact]
    public async Task OrdinaryTraffic_LogsNoError()
    {
        // The worker reports errors as RpcLog (level Error/Critical); refusals and timers are not errors.
        Assert.Equal(HttpStatusCode.OK, (await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.Host.SendHttpAsync(new HttpRequestMessage(HttpMethod.Get, "/api/agent/me"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.PostWebhookAsync("{}", signature: "sha256=00")).StatusCode);
        Assert.True((await fixture.Host.InvokeTimerAsync("window-expiry")).Succeeded);

        var errors = fixture.Host.Logs.Where(l => l.Level >= Smartspace.WorkerHost.Rpc.RpcLog.Types.Level.Error).ToArray();

        Assert.True(errors.Length == 0, string.Join(Environment.NewLine, errors.Select(e => e.ToString())));
    }
}
