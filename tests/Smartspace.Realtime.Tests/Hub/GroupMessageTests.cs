using System.Text.Json;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Hub;

/// <summary>
/// Issue 20: Azure Web PubSub delivers a REST send to a group as a group message
/// (<c>"from":"group"</c> with the group's name, no <c>fromUserId</c>), whoever put the connection in the
/// group; sends to all, to a user and to a connection are server messages. The frames are compared
/// byte for byte, as the official client parses them.
/// </summary>
public sealed class GroupMessageTests : IAsyncLifetime
{
    private const string Json = "json.webpubsub.azure.v1";
    private const string Reliable = "json.reliable.webpubsub.azure.v1";

    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string, string, string> Payloads() => new()
    {
        { Json, "application/json", "{\"hi\":1}", "\"dataType\":\"json\",\"data\":{\"hi\":1}" },
        { Json, "text/plain", "hi there", "\"dataType\":\"text\",\"data\":\"hi there\"" },
        { Json, "application/octet-stream", "\u0001\u0002\u0003", "\"dataType\":\"binary\",\"data\":\"AQID\"" },
        { Reliable, "application/json", "{\"hi\":1}", "\"dataType\":\"json\",\"data\":{\"hi\":1}" },
        { Reliable, "text/plain", "hi there", "\"dataType\":\"text\",\"data\":\"hi there\"" },
        { Reliable, "application/octet-stream", "\u0001\u0002\u0003", "\"dataType\":\"binary\",\"data\":\"AQID\"" },
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task RestSendToGroup_ArrivesAsGroupMessageNamingTheGroup(string protocol, string contentType, string body, string data)
    {
        await using var client = await _host.ConnectAsync("agent-1", protocol, roles: ["webpubsub.joinLeaveGroup.g1"]);
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"g1\",\"ackId\":1}");
        Assert.True((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());

        Assert.Equal(202, (int)(await Rest.SendAsync(_host, HttpMethod.Post, "groups/g1/:send", body, contentType)).StatusCode);

        var sequence = protocol == Reliable ? "\"sequenceId\":1," : "";
        Assert.Equal("{" + sequence + "\"type\":\"message\",\"from\":\"group\",\"group\":\"g1\"," + data + "}", await client.ReceiveTextAsync());
    }

    [Theory]
    [InlineData(Json)]
    [InlineData(Reliable)]
    public async Task RestSendToAllUserAndConnection_StayServerMessages(string protocol)
    {
        await using var client = await _host.ConnectAsync("agent-1", protocol, groups: ["g1"]);
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");

        await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{\"n\":1}");
        await Rest.SendAsync(_host, HttpMethod.Post, "users/agent-1/:send", "{\"n\":2}");
        await Rest.SendAsync(_host, HttpMethod.Post, $"connections/{connectionId}/:send", "{\"n\":3}");

        for (var n = 1; n <= 3; n++)
        {
            var sequence = protocol == Reliable ? $"\"sequenceId\":{n}," : "";
            Assert.Equal("{" + sequence + "\"type\":\"message\",\"from\":\"server\",\"dataType\":\"json\",\"data\":{\"n\":" + n + "}}", await client.ReceiveTextAsync());
        }
    }

    [Fact]
    public async Task RestSendToGroup_WithFilterAndExcluded_EveryReceiverGetsTheGroupMessage()
    {
        await using var a = await _host.ConnectAsync("agent-a", Json, groups: ["g1"]);
        await using var b = await _host.ConnectAsync("agent-b", Reliable, groups: ["g1"]);
        await using var c = await _host.ConnectAsync("agent-c", Json, groups: ["g1"]);
        await a.ReceiveJsonAsync();
        await b.ReceiveJsonAsync();
        var excluded = (await c.ReceiveJsonAsync()).Str("connectionId");

        var query = "api-version=2024-12-01&filter=" + Uri.EscapeDataString("userId ne 'agent-a'") + "&excluded=" + excluded;
        Assert.Equal(202, (int)(await Rest.SendAsync(_host, HttpMethod.Post, "groups/g1/:send", "{\"only\":\"b\"}", query: query)).StatusCode);
        Assert.Equal(202, (int)(await Rest.SendAsync(_host, HttpMethod.Post, "groups/g1/:send", "{\"all\":true}")).StatusCode);

        AssertGroupMessage(await b.ReceiveJsonAsync(), "g1", "{\"only\":\"b\"}");
        AssertGroupMessage(await b.ReceiveJsonAsync(), "g1", "{\"all\":true}");
        AssertGroupMessage(await a.ReceiveJsonAsync(), "g1", "{\"all\":true}"); // filtered out of the first
        AssertGroupMessage(await c.ReceiveJsonAsync(), "g1", "{\"all\":true}"); // excluded from the first
    }

    [Fact]
    public async Task MembershipMadeByTheServer_UserConnectionAndFilteredAdds_LeadToGroupMessages()
    {
        await using var a = await _host.ConnectAsync("agent-a", Reliable);
        await using var b = await _host.ConnectAsync("agent-b", Json);
        await using var c = await _host.ConnectAsync("agent-c", Json);
        await a.ReceiveJsonAsync();
        var bId = (await b.ReceiveJsonAsync()).Str("connectionId");
        await c.ReceiveJsonAsync();

        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Put, "users/agent-a/groups/by-user")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Put, $"groups/by-connection/connections/{bId}")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":addToGroups", "{\"groups\":[\"by-filter\"],\"filter\":\"userId eq 'agent-c'\"}")).StatusCode);

        foreach (var group in new[] { "by-user", "by-connection", "by-filter" })
        {
            await Rest.SendAsync(_host, HttpMethod.Post, $"groups/{group}/:send", "{\"to\":\"" + group + "\"}");
        }

        AssertGroupMessage(await a.ReceiveJsonAsync(), "by-user", "{\"to\":\"by-user\"}");
        AssertGroupMessage(await b.ReceiveJsonAsync(), "by-connection", "{\"to\":\"by-connection\"}");
        AssertGroupMessage(await c.ReceiveJsonAsync(), "by-filter", "{\"to\":\"by-filter\"}");
    }

    [Theory]
    [InlineData("team/a", "team%2Fa")]
    [InlineData("x%2Fy", "x%252Fy")]
    [InlineData("equipe ç", "equipe%20%C3%A7")]
    public async Task RestGroupAndUserNames_AreTheNamesTheClientUses_EvenWithAnEscapedSlash(string name, string escaped)
    {
        // The server SDKs escape path segments; ASP.NET Core decodes every escape but %2F, so "team/a" was "team%2Fa" here.
        await using var client = await _host.ConnectAsync(name, Json, roles: ["webpubsub.joinLeaveGroup"]);
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":" + JsonSerializer.Serialize(name) + ",\"ackId\":1}");
        Assert.True((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());

        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, $"groups/{escaped}")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, $"users/{escaped}")).StatusCode);
        await Rest.SendAsync(_host, HttpMethod.Post, $"groups/{escaped}/:send", "{\"to\":\"group\"}");
        await Rest.SendAsync(_host, HttpMethod.Post, $"users/{escaped}/:send", "{\"to\":\"user\"}");

        AssertGroupMessage(await client.ReceiveJsonAsync(), name, "{\"to\":\"group\"}");
        Assert.Equal("user", (await client.ReceiveJsonAsync()).GetProperty("data").Str("to"));
    }

    private static void AssertGroupMessage(JsonElement frame, string group, string data)
    {
        Assert.Equal("message", frame.Str("type"));
        Assert.Equal("group", frame.Str("from"));
        Assert.Equal(group, frame.Str("group"));
        Assert.Equal("json", frame.Str("dataType"));
        Assert.Equal(data, frame.GetProperty("data").GetRawText());
        Assert.False(frame.Has("fromUserId"), "a server send has no sending user");
    }
}
