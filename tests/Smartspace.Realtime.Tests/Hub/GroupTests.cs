using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Hub;

public sealed class GroupTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task JoinGroup_WithoutRole_AckForbidden()
    {
        await using var client = await _host.ConnectAsync("agent-1");
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv-1\",\"ackId\":1}");
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal("ack", ack.Str("type"));
        Assert.Equal(1, ack.GetProperty("ackId").GetInt64());
        Assert.False(ack.GetProperty("success").GetBoolean());
        Assert.Equal("Forbidden", ack.GetProperty("error").Str("name"));
    }

    [Fact]
    public async Task JoinGroup_GroupScopedRole_AllowsOnlyThatGroup()
    {
        await using var client = await _host.ConnectAsync("agent-1", roles: ["webpubsub.joinLeaveGroup.conv-1"]);
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv-1\",\"ackId\":1}");
        Assert.True((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv-2\",\"ackId\":2}");
        Assert.Equal("Forbidden", (await client.ReceiveJsonAsync()).GetProperty("error").Str("name"));
    }

    [Fact]
    public async Task JoinGroup_WildcardRole_MatchesOneSegment()
    {
        await using var client = await _host.ConnectAsync("agent-1", roles: ["webpubsub.joinLeaveGroups.conv.*"]);
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv.42\",\"ackId\":1}");
        Assert.True((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv.42.x\",\"ackId\":2}");
        Assert.False((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task SendToGroup_MembersReceive_NoEchoSkipsSender_LeaveStopsDelivery()
    {
        string[] roles = ["webpubsub.joinLeaveGroup", "webpubsub.sendToGroup"];
        await using var a = await _host.ConnectAsync("agent-a", roles: roles);
        await using var b = await _host.ConnectAsync("agent-b", roles: roles);
        await a.ReceiveJsonAsync();
        await b.ReceiveJsonAsync();
        await a.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv-1\",\"ackId\":1}");
        await b.SendAsync("{\"type\":\"joinGroup\",\"group\":\"conv-1\",\"ackId\":1}");
        Assert.True((await a.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
        Assert.True((await b.ReceiveJsonAsync()).GetProperty("success").GetBoolean());

        await a.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"conv-1\",\"ackId\":2,\"noEcho\":true,\"dataType\":\"json\",\"data\":{\"typing\":true}}");
        var toB = await b.ReceiveJsonAsync();
        Assert.Equal("message", toB.Str("type"));
        Assert.Equal("group", toB.Str("from"));
        Assert.Equal("conv-1", toB.Str("group"));
        Assert.Equal("agent-a", toB.Str("fromUserId"));
        Assert.Equal("json", toB.Str("dataType"));
        Assert.True(toB.GetProperty("data").GetProperty("typing").GetBoolean());
        Assert.Equal(1UL, toB.GetProperty("sequenceId").GetUInt64());
        var ackA = await a.ReceiveJsonAsync();
        Assert.True(Json.IsAck(ackA) && ackA.GetProperty("success").GetBoolean(), "noEcho: the sender gets only its ack");

        await b.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"conv-1\",\"dataType\":\"text\",\"data\":\"hi\"}");
        var toA = await a.ReceiveJsonAsync();
        Assert.Equal("text", toA.Str("dataType"));
        Assert.Equal("hi", toA.Str("data"));
        Assert.Equal("hi", (await b.ReceiveJsonAsync()).Str("data")); // echo is on by default

        await a.SendAsync("{\"type\":\"leaveGroup\",\"group\":\"conv-1\",\"ackId\":3}");
        Assert.True((await a.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
        await b.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"conv-1\",\"dataType\":\"binary\",\"data\":\"AQID\",\"ackId\":9}");
        var echo = await b.ReceiveUntilAsync(Json.IsMessage);
        Assert.Equal("binary", echo.Str("dataType"));
        Assert.Equal("AQID", echo.Str("data"));
        await a.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("pong", (await a.ReceiveJsonAsync()).Str("type")); // nothing from conv-1 before the pong
    }

    [Fact]
    public async Task SendToGroup_LargerThanOneReceiveBuffer_DeliveredWhole()
    {
        await using var client = await _host.ConnectAsync("agent-1", roles: ["webpubsub.sendToGroup"], groups: ["big"]);
        await client.ReceiveJsonAsync();
        var text = new string('x', 100_000);
        await client.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"big\",\"dataType\":\"text\",\"data\":\"" + text + "\"}");
        Assert.Equal(text, (await client.ReceiveJsonAsync()).Str("data"));
    }

    [Fact]
    public async Task SendToGroup_WithoutRole_AckForbidden()
    {
        await using var client = await _host.ConnectAsync("agent-1", roles: ["webpubsub.sendToGroup.conv-1"]);
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"conv-2\",\"ackId\":5,\"data\":{}}");
        Assert.Equal("Forbidden", (await client.ReceiveJsonAsync()).GetProperty("error").Str("name"));
    }

    [Fact]
    public async Task AckId_RepeatedOnSameConnection_AckDuplicate()
    {
        await using var client = await _host.ConnectAsync("agent-1", roles: ["webpubsub.joinLeaveGroup"]);
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"g\",\"ackId\":7}");
        Assert.True((await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean());
        await client.SendAsync("{\"type\":\"joinGroup\",\"group\":\"g\",\"ackId\":7}");
        var duplicate = await client.ReceiveJsonAsync();
        Assert.False(duplicate.GetProperty("success").GetBoolean());
        Assert.Equal("Duplicate", duplicate.GetProperty("error").Str("name"));
    }

    [Fact]
    public async Task Event_WithoutEventHandler_AckSuccess()
    {
        await using var client = await _host.ConnectAsync("agent-1");
        await client.ReceiveJsonAsync();
        await client.SendAsync("{\"type\":\"event\",\"event\":\"heartbeat\",\"ackId\":4,\"dataType\":\"text\",\"data\":\"hi\"}");
        var ack = await client.ReceiveJsonAsync();
        Assert.Equal(4, ack.GetProperty("ackId").GetInt64());
        Assert.True(ack.GetProperty("success").GetBoolean());
    }

    [Fact]
    public async Task UserAddedToGroupViaRest_AppliesToCurrentAndFutureConnections()
    {
        await using var first = await _host.ConnectAsync("sup-1");
        await first.ReceiveJsonAsync();
        var put = await Rest.SendAsync(_host, HttpMethod.Put, "users/sup-1/groups/supervisors");
        Assert.Equal(200, (int)put.StatusCode);
        await using var second = await _host.ConnectAsync("sup-1");
        await second.ReceiveJsonAsync();

        var send = await Rest.SendAsync(_host, HttpMethod.Post, "groups/supervisors/:send", "{\"n\":1}");
        Assert.Equal(202, (int)send.StatusCode);
        Assert.Equal(1, (await first.ReceiveJsonAsync()).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(1, (await second.ReceiveJsonAsync()).GetProperty("data").GetProperty("n").GetInt32());
    }

    [Fact]
    public async Task DynamicPermissions_GrantRevokeAndCheckThroughRest_ChangeWhatTheConnectionMayDo()
    {
        await using var client = await _host.ConnectAsync("agent-1", roles: ["webpubsub.sendToGroup"]);
        var id = (await client.ReceiveJsonAsync()).Str("connectionId");
        var join = $"permissions/joinLeaveGroup/connections/{id}";
        var send = $"permissions/sendToGroup/connections/{id}";
        const string Q = "api-version=2024-12-01";

        async Task<int> Rest_(HttpMethod method, string path, string query = Q) => (int)(await Rest.SendAsync(_host, method, path, query: query)).StatusCode;
        async Task<bool> JoinAsync(string group, int ackId)
        {
            await client.SendAsync($"{{\"type\":\"joinGroup\",\"group\":\"{group}\",\"ackId\":{ackId}}}");
            return (await client.ReceiveJsonAsync()).GetProperty("success").GetBoolean();
        }

        Assert.Equal(404, await Rest_(HttpMethod.Head, join, Q + "&targetName=conv-1"));
        Assert.False(await JoinAsync("conv-1", 1));

        Assert.Equal(200, await Rest_(HttpMethod.Put, join, Q + "&targetName=conv-1"));
        Assert.Equal(200, await Rest_(HttpMethod.Head, join, Q + "&targetName=conv-1"));
        Assert.Equal(404, await Rest_(HttpMethod.Head, join)); // not every group
        Assert.True(await JoinAsync("conv-1", 2));
        Assert.False(await JoinAsync("conv-2", 3));

        Assert.Equal(200, await Rest_(HttpMethod.Put, join)); // every group
        Assert.True(await JoinAsync("conv-2", 4));
        Assert.Equal(204, await Rest_(HttpMethod.Delete, join, Q + "&targetName=conv-3"));
        Assert.False(await JoinAsync("conv-3", 5));
        Assert.Equal(404, await Rest_(HttpMethod.Head, join));

        // a revoke beats the role the token gave
        Assert.Equal(200, await Rest_(HttpMethod.Head, send, Q + "&targetName=conv-1"));
        Assert.Equal(204, await Rest_(HttpMethod.Delete, send, Q + "&targetName=conv-1"));
        await client.SendAsync("{\"type\":\"sendToGroup\",\"group\":\"conv-1\",\"dataType\":\"text\",\"data\":\"x\",\"ackId\":6}");
        Assert.Equal("Forbidden", (await client.ReceiveJsonAsync()).GetProperty("error").Str("name"));

        Assert.Equal(400, await Rest_(HttpMethod.Put, $"permissions/sendToAll/connections/{id}"));
        Assert.Equal(404, await Rest_(HttpMethod.Put, "permissions/joinLeaveGroup/connections/no-such-connection"));
        Assert.Equal(404, await Rest_(HttpMethod.Head, "permissions/joinLeaveGroup/connections/no-such-connection"));
    }
}
