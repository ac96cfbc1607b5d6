using Smartspace.Realtime.Tests.Hub;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Events;

public sealed class EventHandlerDeliveryTests : IAsyncLifetime
{
    private FakeEventReceiver _receiver = null!;
    private HubHost _host = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FakeEventReceiver.StartAsync(HubHost.Key);
        _host = await HubHost.StartAsync(new() { ["EventHandlerUrl"] = _receiver.Url, ["ReconnectWindow"] = "00:00:01" });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task ConnectThenClose_ConnectedAndDisconnectedDelivered_WithValidSignatureAndCloudEventHeaders()
    {
        var client = await _host.ConnectAsync("agent-1");
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");
        await ReliableSessionTests.WaitUntil(() => _receiver.Events.Count == 1);
        await client.DisposeAsync();
        await ReliableSessionTests.WaitUntil(() => _receiver.Events.Count == 2);

        var events = _receiver.Events.ToArray();
        Assert.Equal(1, _receiver.Options); // abuse-protection handshake once
        Assert.Equal("azure.webpubsub.sys.connected", events[0].Request.Type);
        Assert.Equal("azure.webpubsub.sys.disconnected", events[1].Request.Type);
        foreach (var e in events)
        {
            Assert.True(e.SignatureValid);
            Assert.Equal(connectionId, e.Request.ConnectionId);
            Assert.Equal("agent-1", e.Request.UserId);
            Assert.Equal("agents", e.Request.Hub);
            Assert.Equal("1.0", e.Headers["ce-specversion"]);
            Assert.Equal($"/hubs/agents/client/{connectionId}", e.Headers["ce-source"]);
            Assert.Equal("json.reliable.webpubsub.azure.v1", e.Headers["ce-subprotocol"]);
            Assert.True(DateTimeOffset.TryParse(e.Headers["ce-time"], out _));
            Assert.False(string.IsNullOrEmpty(e.Headers["ce-id"]));
            Assert.StartsWith("sha256=", e.Headers["ce-signature"]);
        }

        Assert.Equal("connected", events[0].Request.EventName);
        Assert.Equal("{}", events[0].Body);
        Assert.Equal("disconnected", events[1].Request.EventName);
        Assert.Contains("\"reason\"", events[1].Body);
    }

    [Fact]
    public async Task RecoverableDrop_NoDisconnectedUntilReconnectWindowExpires()
    {
        var client = await _host.ConnectAsync("agent-2");
        await client.ReceiveJsonAsync();
        await ReliableSessionTests.WaitUntil(() => _receiver.Events.Count == 1);
        client.Abort();
        await client.DisposeAsync();
        await Task.Delay(400);
        Assert.Single(_receiver.Events); // still recoverable
        await ReliableSessionTests.WaitUntil(() => _receiver.Events.Count == 2, 5000);
        Assert.Equal("azure.webpubsub.sys.disconnected", _receiver.Events.ToArray()[1].Request.Type);
    }

    [Fact]
    public async Task HandlerReturns503_RetriedAndDelivered()
    {
        _receiver.FailNext = 1;
        await using var client = await _host.ConnectAsync("agent-3");
        await client.ReceiveJsonAsync();
        await ReliableSessionTests.WaitUntil(() => _receiver.Events.Count == 1, 5000);
        Assert.Equal(2, _receiver.Attempts);
    }

    [Fact]
    public async Task UserEvent_ForwardedAndReplyReturnedToClient_ThenAcked()
    {
        _receiver.UserEventReply = (200, "application/json", "{\"echo\":true}");
        await using var client = await _host.ConnectAsync("agent-4");
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"event\",\"event\":\"heartbeat\",\"ackId\":11,\"dataType\":\"text\",\"data\":\"hi\"}");
        var reply = await client.ReceiveJsonAsync();
        Assert.Equal("server", reply.Str("from"));
        Assert.True(reply.GetProperty("data").GetProperty("echo").GetBoolean());
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal(11, ack.GetProperty("ackId").GetInt64());
        Assert.True(ack.GetProperty("success").GetBoolean());

        var received = _receiver.Events.Single(e => e.Request.IsUserEvent);
        Assert.Equal("azure.webpubsub.user.heartbeat", received.Request.Type);
        Assert.Equal("heartbeat", received.Request.EventName);
        Assert.Equal("hi", received.Body);
        Assert.StartsWith("text/plain", received.ContentType);
        Assert.True(received.SignatureValid);
    }
}
