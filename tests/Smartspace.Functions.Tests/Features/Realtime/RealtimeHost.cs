using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Realtime;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Realtime.Auth;

namespace Smartspace.Functions.Tests.Features.Realtime;

/// <summary>
/// The handler (<see cref="HandlerFactory"/>: fresh tables on Azurite, fake clock, recording Graph API) with its
/// embedded Web PubSub hub, where the hub's event-handler calls (abuse-protection OPTIONS, signed
/// <c>connected</c>/<c>disconnected</c> CloudEvents to <c>/api/webpubsub/events</c>) go through the same
/// in-memory server instead of a TCP port — so a socket opening and closing drives agent availability
/// exactly as it does in local mode. Sockets connect with the URL from <c>/api/negotiate</c>.
/// </summary>
internal sealed class RealtimeHost : IAsyncDisposable
{
    /// <summary>The named HttpClient the embedded hub uses for its event handler (Smartspace.Realtime's EventHandlerDelivery).</summary>
    private const string EventHandlerClient = "Smartspace.Realtime.EventHandler";

    public const string AccessKey = "test-webpubsub-access-key-0123456789abcdef";

    private readonly HandlerFactory root = new();
    private readonly WebApplicationFactory<Program> factory;
    private readonly List<HubSocket> sockets = [];
    private int customers;

    public RealtimeHost()
    {
        WebApplicationFactory<Program>? self = null;
        self = root.WithWebHostBuilder(builder => builder.ConfigureServices(services =>
            services.AddHttpClient(EventHandlerClient).ConfigurePrimaryHttpMessageHandler(() => self!.Server.CreateHandler())));
        factory = self;
    }

    public TestServer Server => factory.Server;

    public FakeTimeProvider Clock => root.Clock;

    /// <summary>Every agent event published so far (the recording sink next to the hub).</summary>
    public IReadOnlyCollection<AgentEvent> Events => factory.Services.GetRequiredService<RecordingEventPublisher>().Events;

    /// <summary>The first event matching <paramref name="predicate"/>, waiting for it (bounded): an inbound message's events come just after its placement.</summary>
    public Task<AgentEvent> WaitForEventAsync(Func<AgentEvent, bool> predicate, string what) =>
        factory.Services.GetRequiredService<RecordingEventPublisher>().WaitForAsync(predicate, what: what);

    public string TokenFor(string agentId, string tenantId = HandlerFactory.TenantId, AgentRole role = AgentRole.Agent) =>
        factory.Services.GetRequiredService<AgentTokenIssuer>().Issue(tenantId, agentId, role);

    public HttpClient Anonymous() => factory.CreateClient();

    public HttpClient ClientFor(string agentId, string tenantId = HandlerFactory.TenantId, AgentRole role = AgentRole.Agent)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor(agentId, tenantId, role));
        return client;
    }

    /// <summary>Negotiates as the agent and opens a reliable-protocol socket with the returned URL.</summary>
    public async Task<HubSocket> ConnectAsync(string agentId, string tenantId = HandlerFactory.TenantId, AgentRole role = AgentRole.Agent)
    {
        using var client = ClientFor(agentId, tenantId, role);
        using var response = await client.GetAsync("/api/negotiate");
        Assert.Equal(200, (int)response.StatusCode);
        var url = (await response.ReadJsonAsync()).GetProperty("url").GetString()!;
        var socket = await HubSocket.ConnectAsync(Server, url);
        lock (sockets)
        {
            sockets.Add(socket);
        }

        return socket;
    }

    /// <summary>A signed Meta text webhook from <paramref name="from"/> to the demo number; returns the HTTP status once its message is placed.</summary>
    public async Task<int> CustomerSaysAsync(string from, string text, string? wamid = null)
    {
        var json = MetaPayloads.Text(from, wamid ?? $"wamid.RT.{Interlocked.Increment(ref customers)}.{Guid.NewGuid():N}", Clock.GetUtcNow(), text);
        using var response = await root.PostWebhookAsync(json, factory.CreateClient());
        return (int)response.StatusCode;
    }

    /// <summary>Any signed Meta webhook body (e.g. a template status change); returns the HTTP status.</summary>
    public async Task<int> MetaSaysAsync(string json)
    {
        using var response = await root.PostWebhookAsync(json, factory.CreateClient());
        return (int)response.StatusCode;
    }

    /// <summary>
    /// Waits (bounded) until the Durable runtime has nothing left to do: the hub's <c>connected</c>/<c>disconnected</c>
    /// events signal the agent's entity and return at once, so their effect is committed a queue hop later.
    /// </summary>
    public Task SettledAsync() => root.WaitForPlacementAsync();

    public async Task<JsonElement> MeAsync(string agentId, string tenantId = HandlerFactory.TenantId, AgentRole role = AgentRole.Agent)
    {
        using var client = ClientFor(agentId, tenantId, role);
        using var response = await client.GetAsync("/api/agent/me");
        Assert.Equal(200, (int)response.StatusCode);
        return await response.ReadJsonAsync();
    }

    public async Task SetAvailableAsync(string agentId, bool available, string tenantId = HandlerFactory.TenantId)
    {
        using var client = ClientFor(agentId, tenantId);
        using var response = await client.PostJsonAsync("/api/agent/me/status", new { available });
        Assert.Equal(200, (int)response.StatusCode);
    }

    /// <summary>Polls <c>/api/agent/me</c> (bounded) until the agent's availability is <paramref name="available"/>.</summary>
    public async Task WaitAvailableAsync(string agentId, bool available, string tenantId = HandlerFactory.TenantId)
    {
        var until = DateTime.UtcNow + HubSocket.WaitBound;
        while (true)
        {
            var me = await MeAsync(agentId, tenantId);
            if (me.GetProperty("available").GetBoolean() == available)
            {
                return;
            }

            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"{agentId} never became available={available}: {me}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>POSTs a Web PubSub system event as the service would (CloudEvents binary mode), signed with <paramref name="key"/>.</summary>
    public async Task<HttpResponseMessage> PostSystemEventAsync(string eventName, string agentId, string connectionId, string? signature = null, string? key = AccessKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webpubsub/events")
        {
            Content = new StringContent(eventName == "disconnected" ? "{\"reason\":\"closed\"}" : "{}", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("ce-specversion", "1.0");
        request.Headers.TryAddWithoutValidation("ce-type", "azure.webpubsub.sys." + eventName);
        request.Headers.TryAddWithoutValidation("ce-source", "/hubs/agents/client/" + connectionId);
        request.Headers.TryAddWithoutValidation("ce-id", Guid.NewGuid().ToString("N"));
        request.Headers.TryAddWithoutValidation("ce-time", Clock.GetUtcNow().ToString("O"));
        request.Headers.TryAddWithoutValidation("ce-userId", agentId);
        request.Headers.TryAddWithoutValidation("ce-connectionId", connectionId);
        request.Headers.TryAddWithoutValidation("ce-hub", "agents");
        request.Headers.TryAddWithoutValidation("ce-eventName", eventName);
        request.Headers.TryAddWithoutValidation("ce-subprotocol", HubSocket.Subprotocol);
        signature ??= key is null ? null : Sign(key, connectionId);
        if (signature is not null)
        {
            request.Headers.TryAddWithoutValidation("ce-signature", signature);
        }

        using var client = factory.CreateClient();
        return await client.SendAsync(request);
    }

    /// <summary>The hub's data-plane REST API: who is in <paramref name="group"/> (Bearer HS256 JWT, aud = the request URL).</summary>
    public async Task<List<(string ConnectionId, string? UserId)>> GroupConnectionsAsync(string group)
    {
        var path = $"/api/hubs/agents/groups/{Uri.EscapeDataString(group)}/connections?api-version=2024-12-01";
        var token = HubJwt.Create(AccessKey, "http://localhost" + path, Clock.GetUtcNow(), TimeSpan.FromMinutes(5));
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        var body = await response.ReadJsonAsync();
        return body.GetProperty("value").EnumerateArray()
            .Select(c => (c.GetProperty("connectionId").GetString()!, c.TryGetProperty("userId", out var u) ? u.GetString() : null))
            .ToList();
    }

    /// <summary><c>sha256=hex(HMAC-SHA256(key, connectionId))</c>, computed here independently of the product's validator.</summary>
    public static string Sign(string key, string connectionId) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(connectionId)));

    public async ValueTask DisposeAsync()
    {
        List<HubSocket> open;
        lock (sockets)
        {
            open = sockets.ToList();
        }

        foreach (var socket in open)
        {
            await socket.DisposeAsync();
        }

        await root.DisposeAsync();
    }
}
