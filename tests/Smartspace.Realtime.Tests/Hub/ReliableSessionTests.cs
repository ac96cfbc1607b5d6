using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Realtime.Publishing;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Hub;

public sealed class ReliableSessionTests : IAsyncLifetime
{
    private HubHost _host = null!;

    private EmbeddedHubPublisher Publisher => _host.Services.GetRequiredService<EmbeddedHubPublisher>();

    public async Task InitializeAsync() => _host = await HubHost.StartAsync(new() { ["ReconnectWindow"] = "00:00:05" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SequenceIds_StartAt1_StrictlyIncreasing_AcrossServerAndGroupMessages()
    {
        await using var client = await _host.ConnectAsync("agent-1", groups: ["g"]);
        await client.ReceiveJsonAsync();
        for (var i = 0; i < 5; i++)
        {
            await Publisher.SendToUserAsync("agent-1", Encoding.UTF8.GetBytes($"{{\"i\":{i}}}"), CancellationToken.None);
            await Publisher.SendToGroupAsync("g", Encoding.UTF8.GetBytes($"{{\"g\":{i}}}"), CancellationToken.None);
        }

        for (ulong expected = 1; expected <= 10; expected++)
        {
            Assert.Equal(expected, (await client.ReceiveJsonAsync()).GetProperty("sequenceId").GetUInt64());
        }
    }

    [Fact]
    public async Task AbnormalDrop_ReconnectWithAwpsParams_ReplaysUnackedInOrder_NoNewConnectedMessage()
    {
        var client = await _host.ConnectAsync("agent-1");
        var connected = await client.ReceiveJsonAsync();
        var connectionId = connected.Str("connectionId");
        var reconnectionToken = connected.Str("reconnectionToken");
        for (var i = 1; i <= 5; i++)
        {
            await Publisher.SendToUserAsync("agent-1", Encoding.UTF8.GetBytes($"{{\"i\":{i}}}"), CancellationToken.None);
            Assert.Equal((ulong)i, (await client.ReceiveJsonAsync()).GetProperty("sequenceId").GetUInt64());
        }

        await client.SendAsync("{\"type\":\"sequenceAck\",\"sequenceId\":2}");
        await client.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveJsonAsync()).Str("type")); // ack processed before the pong

        client.Abort();
        await client.DisposeAsync();
        for (var i = 6; i <= 8; i++)
        {
            await Publisher.SendToUserAsync("agent-1", Encoding.UTF8.GetBytes($"{{\"i\":{i}}}"), CancellationToken.None);
        }

        var url = $"{_host.ClientUrl}?access_token={_host.Token("agent-1")}&awps_connection_id={Uri.EscapeDataString(connectionId)}&awps_reconnection_token={Uri.EscapeDataString(reconnectionToken)}";
        await using var recovered = await TestClient.ConnectAsync(new Uri(url), "json.reliable.webpubsub.azure.v1");
        for (var i = 3; i <= 8; i++)
        {
            var frame = await recovered.ReceiveJsonAsync();
            Assert.Equal("message", frame.Str("type"));
            Assert.Equal((ulong)i, frame.GetProperty("sequenceId").GetUInt64());
            Assert.Equal(i, frame.GetProperty("data").GetProperty("i").GetInt32());
        }

        await Publisher.SendToUserAsync("agent-1", "{\"i\":9}"u8.ToArray(), CancellationToken.None);
        Assert.Equal(9UL, (await recovered.ReceiveJsonAsync()).GetProperty("sequenceId").GetUInt64());
    }

    [Fact]
    public async Task Recovery_UnknownSession_Closed1008()
    {
        var url = $"{_host.ClientUrl}?access_token={_host.Token("agent-1")}&awps_connection_id=nope&awps_reconnection_token=nope";
        await using var client = await TestClient.ConnectAsync(new Uri(url), "json.reliable.webpubsub.azure.v1");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
    }

    [Fact]
    public async Task Recovery_WrongReconnectionToken_Closed1008()
    {
        await using var client = await _host.ConnectAsync("agent-1");
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");
        var url = $"{_host.ClientUrl}?awps_connection_id={connectionId}&awps_reconnection_token=forged";
        await using var thief = await TestClient.ConnectAsync(new Uri(url), "json.reliable.webpubsub.azure.v1");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await thief.ReceiveCloseAsync());
    }

    [Fact]
    public async Task GracefulClose_EndsSession_RecoveryThen1008()
    {
        var client = await _host.ConnectAsync("agent-1");
        var connected = await client.ReceiveJsonAsync();
        await client.DisposeAsync(); // close handshake = the client is done
        await WaitUntil(() => _host.Hub.ConnectionCount("agents") == 0);
        var url = $"{_host.ClientUrl}?awps_connection_id={connected.Str("connectionId")}&awps_reconnection_token={Uri.EscapeDataString(connected.Str("reconnectionToken"))}";
        await using var again = await TestClient.ConnectAsync(new Uri(url), "json.reliable.webpubsub.azure.v1");
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await again.ReceiveCloseAsync());
    }

    [Fact]
    public async Task RestClose_SendsDisconnectedAndCloses1008()
    {
        await using var client = await _host.ConnectAsync("agent-1");
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");
        var response = await Rest.SendAsync(_host, HttpMethod.Delete, $"connections/{connectionId}", query: "api-version=2024-12-01&reason=bye");
        Assert.Equal(204, (int)response.StatusCode);
        var disconnected = await client.ReceiveJsonAsync();
        Assert.Equal("disconnected", disconnected.Str("event"));
        Assert.Equal("bye", disconnected.Str("message"));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, await client.ReceiveCloseAsync());
    }

    internal static async Task WaitUntil(Func<bool> condition, int timeoutMs = 5000)
    {
        var start = Environment.TickCount64;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 - start < timeoutMs, "condition not met in time");
            await Task.Delay(20);
        }
    }
}
