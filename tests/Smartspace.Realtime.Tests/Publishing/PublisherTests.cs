using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Realtime.Auth;
using Smartspace.Realtime.Options;
using Smartspace.Realtime.Publishing;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Publishing;

/// <summary>One contract, two adapters: the REST publisher and the in-process one must be indistinguishable to clients.</summary>
public sealed class PublisherTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void EmbeddedMode_RegistersInProcessPublisher()
    {
        Assert.IsType<EmbeddedHubPublisher>(_host.Services.GetRequiredService<IRealtimePublisher>());
    }

    [Fact]
    public async Task RestAndInProcessPublishers_DeliverIdenticalFrames()
    {
        var rest = _host.Services.GetRequiredService<WebPubSubRestPublisher>();
        var local = _host.Services.GetRequiredService<EmbeddedHubPublisher>();
        await using var client = await _host.ConnectAsync("agent-1", "json.webpubsub.azure.v1");
        await client.ReceiveJsonAsync();
        var payload = "{\"type\":\"conversation.updated\",\"conversationId\":\"c-1\",\"version\":7,\"text\":\"olá \\u00e9\"}"u8.ToArray();

        await rest.AddUserToGroupAsync("supervisors", "agent-1", CancellationToken.None);
        await rest.SendToUserAsync("agent-1", payload, CancellationToken.None);
        var viaRest = await client.ReceiveTextAsync();
        await local.SendToUserAsync("agent-1", payload, CancellationToken.None);
        var viaLocal = await client.ReceiveTextAsync();
        Assert.Equal(viaRest, viaLocal);
        Assert.StartsWith("{\"type\":\"message\",\"from\":\"server\",\"dataType\":\"json\",\"data\":{", viaRest);

        await rest.SendToGroupAsync("supervisors", payload, CancellationToken.None);
        var groupViaRest = await client.ReceiveTextAsync();
        await local.SendToGroupAsync("supervisors", payload, CancellationToken.None);
        Assert.Equal(groupViaRest, await client.ReceiveTextAsync());
        // Issue 20: as in Azure, a send to a group arrives as a group message naming the group (no fromUserId).
        Assert.Equal(viaRest!.Replace("\"from\":\"server\"", "\"from\":\"group\",\"group\":\"supervisors\"", StringComparison.Ordinal), groupViaRest);

        await local.RemoveUserFromGroupAsync("supervisors", "agent-1", CancellationToken.None);
        await rest.SendToGroupAsync("supervisors", payload, CancellationToken.None);
        await client.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("{\"type\":\"pong\"}", await client.ReceiveTextAsync());
    }

    [Theory]
    [InlineData("supervisors.demo")]
    [InlineData("equipe/sul ç")]
    public async Task RestPublisher_SendToGroup_UsesTheGroupSendEndpoint_MembersGetAGroupMessageNamingTheGroup(string group)
    {
        var rest = _host.Services.GetRequiredService<WebPubSubRestPublisher>();
        await using var client = await _host.ConnectAsync("agent/1", "json.webpubsub.azure.v1", groups: [group]);
        await client.ReceiveJsonAsync();

        await rest.SendToGroupAsync(group, "{\"n\":1}"u8.ToArray(), CancellationToken.None);
        await rest.SendToUserAsync("agent/1", "{\"n\":2}"u8.ToArray(), CancellationToken.None);

        Assert.Equal("{\"type\":\"message\",\"from\":\"group\",\"group\":" + JsonSerializer.Serialize(group) + ",\"dataType\":\"json\",\"data\":{\"n\":1}}", await client.ReceiveTextAsync());
        Assert.Equal("{\"type\":\"message\",\"from\":\"server\",\"dataType\":\"json\",\"data\":{\"n\":2}}", await client.ReceiveTextAsync());
    }

    [Fact]
    public async Task RestPublisher_InvalidJson_ThrowsWithServiceErrorCode()
    {
        var rest = _host.Services.GetRequiredService<WebPubSubRestPublisher>();
        var e = await Assert.ThrowsAsync<RealtimePublishException>(() => rest.SendToUserAsync("u", "{not json"u8.ToArray(), CancellationToken.None));
        Assert.Equal(400, e.StatusCode);
        Assert.Equal("InvalidRequest", e.ErrorCode);
    }

    [Fact]
    public async Task ClientAccessUrlFactory_UrlConnects_WithUserGroupsAndRoles()
    {
        var factory = _host.Services.GetRequiredService<IClientAccessUrlFactory>();
        var access = factory.Create("agent-7", groups: ["supervisors"], roles: ["webpubsub.joinLeaveGroup.queue"]);
        Assert.Equal(_host.ClientUrl, access.BaseUrl);
        Assert.StartsWith(access.BaseUrl + "?access_token=", access.Url);
        var claims = HubJwt.Validate(access.Token, [HubHost.Key], DateTimeOffset.UtcNow, aud => aud == _host.Audience);
        Assert.NotNull(claims);
        Assert.Equal("agent-7", claims.UserId);

        await using var client = await TestClient.ConnectAsync(new Uri(access.Url), "json.reliable.webpubsub.azure.v1");
        Assert.Equal("agent-7", (await client.ReceiveJsonAsync()).Str("userId"));
        await _host.Services.GetRequiredService<IRealtimePublisher>().SendToGroupAsync("supervisors", "{\"ok\":true}"u8.ToArray(), CancellationToken.None);
        var message = await client.ReceiveJsonAsync();
        Assert.Equal("supervisors", message.Str("group"));
        Assert.True(message.GetProperty("data").GetProperty("ok").GetBoolean());
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"queue\",\"ackId\":1}");
        Assert.True((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task RestPublisher_ServiceAcceptsButNeverAnswers_FailsAfterItsTimeout_AndTheCallersCancellationStaysACancellation()
    {
        // A Web PubSub that hangs must not hold the webhook that publishes (HttpClient's own default is 100 s).
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var held = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        });
        var options = Microsoft.Extensions.Options.Options.Create(new WebPubSubOptions
        {
            Mode = WebPubSubMode.Azure,
            Endpoint = $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}",
            AccessKey = HubHost.Key,
            Hub = HubHost.HubName,
        });
        var http = _host.Services.GetRequiredService<IHttpClientFactory>();

        try
        {
            var rest = new WebPubSubRestPublisher(http, options, TimeProvider.System) { RequestTimeout = TimeSpan.FromMilliseconds(300) };
            var e = await Assert.ThrowsAsync<RealtimePublishException>(() => rest.SendToUserAsync("agent-1", "{}"u8.ToArray(), CancellationToken.None));
            Assert.Equal(504, e.StatusCode);
            Assert.Equal("Timeout", e.ErrorCode);

            var patient = new WebPubSubRestPublisher(http, options, TimeProvider.System) { RequestTimeout = TimeSpan.FromMinutes(5) };
            using var caller = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.SendToGroupAsync("supervisors", "{}"u8.ToArray(), caller.Token));
        }
        finally
        {
            silent.Stop();
            await accepting;
            held.ForEach(c => c.Dispose());
        }
    }
}
