using System.Net;
using System.Net.WebSockets;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Hub;

public sealed class ClientEndpointTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Connect_BadSignature_Refused401BeforeUpgrade()
    {
        var token = _host.Token("agent-1", key: "another-key-0123456789-abcdefghijklmnopqrstuvwxyz");
        await AssertRefused401($"{_host.ClientUrl}?access_token={token}");
    }

    [Fact]
    public async Task Connect_ExpiredToken_Refused401()
    {
        var token = _host.Token("agent-1", now: DateTimeOffset.UtcNow.AddHours(-2), lifetime: TimeSpan.FromMinutes(60));
        await AssertRefused401($"{_host.ClientUrl}?access_token={token}");
    }

    [Fact]
    public async Task Connect_WrongAudience_Refused401()
    {
        var token = _host.Token("agent-1", audience: _host.BaseUrl + "/client/hubs/otherhub");
        await AssertRefused401($"{_host.ClientUrl}?access_token={token}");
        var otherHost = _host.Token("agent-1", audience: "https://evil.example.com/client/hubs/" + HubHost.HubName);
        await AssertRefused401($"{_host.ClientUrl}?access_token={otherHost}");
    }

    [Fact]
    public async Task Connect_MissingToken_Refused401()
    {
        await AssertRefused401(_host.ClientUrl);
    }

    [Theory]
    [InlineData("http://{0}/client/hubs/agents")]
    [InlineData("https://{0}/client/hubs/agents/")]
    [InlineData("ws://{0}/client/hubs/agents")]
    public async Task Connect_AudienceForms_Accepted(string audienceFormat)
    {
        var authority = new Uri(_host.BaseUrl).Authority;
        var token = _host.Token("agent-1", audience: string.Format(System.Globalization.CultureInfo.InvariantCulture, audienceFormat, authority));
        await using var client = await TestClient.ConnectAsync(new Uri($"{_host.ClientUrl}?access_token={token}"), "json.webpubsub.azure.v1");
        Assert.Equal("connected", (await client.ReceiveJsonAsync()).Str("event"));
    }

    [Fact]
    public async Task Connect_BearerHeader_Accepted()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("json.webpubsub.azure.v1");
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _host.Token("agent-9"));
        await socket.ConnectAsync(new Uri(_host.ClientUrl), CancellationToken.None);
        Assert.Equal(WebSocketState.Open, socket.State);
        socket.Abort();
    }

    [Fact]
    public async Task Connect_Reliable_EchoesSubprotocolAndSendsConnectedWithReconnectionToken()
    {
        await using var client = await _host.ConnectAsync("agent-1");
        Assert.Equal("json.reliable.webpubsub.azure.v1", client.SubProtocol);
        var connected = await client.ReceiveJsonAsync();
        Assert.Equal("system", connected.Str("type"));
        Assert.Equal("connected", connected.Str("event"));
        Assert.Equal("agent-1", connected.Str("userId"));
        Assert.False(string.IsNullOrEmpty(connected.Str("connectionId")));
        Assert.False(string.IsNullOrEmpty(connected.Str("reconnectionToken")));
    }

    [Fact]
    public async Task Connect_Json_EchoesSubprotocolAndSendsConnectedWithoutReconnectionToken()
    {
        await using var client = await _host.ConnectAsync("agent-1", "json.webpubsub.azure.v1");
        Assert.Equal("json.webpubsub.azure.v1", client.SubProtocol);
        var connected = await client.ReceiveJsonAsync();
        Assert.Equal("connected", connected.Str("event"));
        Assert.False(connected.Has("reconnectionToken"));
    }

    [Fact]
    public async Task Ping_AnsweredWithPong()
    {
        await using var client = await _host.ConnectAsync("agent-1");
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await client.ReceiveJsonAsync()).Str("type"));
    }

    [Fact]
    public async Task TokenGroups_JoinedOnConnect()
    {
        await using var client = await _host.ConnectAsync("agent-1", groups: ["supervisors"]);
        await client.ReceiveJsonAsync();
        var publisher = _host.Services.GetService(typeof(Smartspace.Realtime.Publishing.EmbeddedHubPublisher)) as Smartspace.Realtime.Publishing.EmbeddedHubPublisher;
        await publisher!.SendToGroupAsync("supervisors", "{\"x\":1}"u8.ToArray(), CancellationToken.None);
        var message = await client.ReceiveJsonAsync();
        Assert.Equal("group", message.Str("from")); // issue 20: a send to a group is a group message
        Assert.Equal("supervisors", message.Str("group"));
        Assert.Equal(1, message.GetProperty("data").GetProperty("x").GetInt32());
    }

    private static async Task AssertRefused401(string url)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("json.reliable.webpubsub.azure.v1");
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(new Uri(url.Replace("http://", "ws://")), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }
}

public sealed class RawWebSocketTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task NoSubprotocol_RawPayloadsWithoutEnvelope()
    {
        await using var client = await _host.ConnectAsync("agent-raw", protocol: null);
        Assert.True(string.IsNullOrEmpty(client.SubProtocol));
        var response = await Rest.SendAsync(_host, HttpMethod.Post, "users/agent-raw/:send", "{\"a\":1}");
        Assert.Equal(202, (int)response.StatusCode);
        Assert.Equal("{\"a\":1}", await client.ReceiveTextAsync()); // no connected message, no envelope
    }
}
