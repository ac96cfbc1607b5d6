using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Testing;

namespace Smartspace.Functions.Tests.Features.Sandbox;

/// <summary>
/// The built handler as its own process on a free loopback port, fully local: tables and media of its own on Azurite, the
/// embedded Meta sandbox as its Graph API (the handler calls its own <c>/sandbox/graph</c> over HTTP, the sandbox
/// posts signed webhooks back to <c>/api/whatsapp/webhook</c>), embedded Web PubSub, dev tokens, hosted timers
/// with a one-second outbox sweep — a <see cref="HandlerProcess"/> whose settings point the Graph API and the
/// sandbox's webhooks at its own URL (its Durable runtime on the task hub of its table prefix, as every
/// <see cref="HandlerProcess"/>). Started once per test class; <see cref="DisposeAsync"/> kills exactly the process it
/// started, by its id.
/// </summary>
public sealed class SandboxHandler : IAsyncLifetime
{
    public const string AppSecret = "sandbox-flow-app-secret";
    public const string AccessToken = "sandbox-flow-access-token";

    private readonly string prefix = AzuriteFixture.NewTablePrefix("sandbox");
    private HandlerProcess? handler;

    public Uri BaseAddress => handler?.BaseAddress ?? new Uri("http://127.0.0.1:9");

    public HttpClient Http => handler?.Http ?? throw new InvalidOperationException("The sandbox handler is not started.");

    public int ProcessId => handler?.ProcessId ?? 0;

    public string Output => handler?.Output ?? "";

    public async Task InitializeAsync()
    {
        handler = await HandlerProcess.StartAsync(url => new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Local__Enabled"] = "true",
            ["Storage__TablesConnectionString"] = AzuriteHost.SharedConnectionString(),
            ["Storage__TablePrefix"] = prefix,
            ["Storage__MediaContainer"] = "media-" + prefix,
            ["Meta__AppSecret"] = AppSecret,
            ["Meta__VerifyToken"] = "v",
            ["Meta__AccessToken"] = AccessToken,
            ["Meta__GraphBaseUrl"] = url + "/sandbox/graph",
            ["Meta__SandboxEnabled"] = "true",
            ["Meta__SandboxWebhookUrl"] = url + "/api/whatsapp/webhook",
            ["WebPubSub__Mode"] = "Embedded",
            ["WebPubSub__Endpoint"] = url,
            ["WebPubSub__AccessKey"] = "sandbox-flow-webpubsub-access-key-0123456789",
            ["WebPubSub__Hub"] = "agents",
            ["Auth__Issuer"] = "smartspace-sandbox-flow",
            ["Auth__Audience"] = "smartspace-agent-api",
            ["Auth__SigningKey"] = "sandbox-flow-jwt-signing-key-0123456789abcdef",
            ["Auth__DevTokensEnabled"] = "true",
            ["Seed__File"] = "seed/demo-contact-center.json",
            ["Timers__Hosted"] = "true",
            ["Timers__OutboxRetryInterval"] = "00:00:01",
            ["Telemetry__Exporter"] = "None",
            ["Logging__LogLevel__Default"] = "Warning",
        });
    }

    public async Task<HttpClient> AgentAsync(string agentId, string? tenantId = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/dev/token", new { agentId, tenantId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"dev token for {agentId}: {(int)response.StatusCode} {body}");
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("accessToken").GetString());
        return client;
    }

    /// <summary>
    /// Waits (bounded) until every customer message the sandbox delivered so far is placed in its conversation: the webhook
    /// answers the sandbox at once, the customer's entity places the message just after.
    /// </summary>
    public Task WaitForPlacementAsync() =>
        (handler ?? throw new InvalidOperationException("The sandbox handler is not started.")).WaitForPlacementAsync();

    /// <summary>Polls <paramref name="read"/> until <paramref name="until"/> holds (bounded); returns the last value read.</summary>
    public async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> until, string what, int timeoutSeconds = 30)
    {
        var clock = Stopwatch.StartNew();
        var last = await read();
        while (!until(last))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(timeoutSeconds))
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}; last value: {last}\nHandler output:\n{Output}");
            }

            await Task.Delay(100);
            last = await read();
        }

        return last;
    }

    public async Task DisposeAsync()
    {
        if (handler is not null)
        {
            await handler.DisposeAsync();
        }
    }
}
