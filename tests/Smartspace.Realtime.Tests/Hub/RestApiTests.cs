using System.Text.Json;
using Smartspace.Realtime.Tests.Support;

namespace Smartspace.Realtime.Tests.Hub;

public sealed class RestApiTests : IAsyncLifetime
{
    private HubHost _host = null!;

    public async Task InitializeAsync() => _host = await HubHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(Rest.Aud.FullUrl)]
    [InlineData(Rest.Aud.WithoutQuery)]
    [InlineData(Rest.Aud.HubUrl)]
    public async Task Send_AudienceWithOrWithoutQuery_Accepted202(Rest.Aud aud)
    {
        await using var client = await _host.ConnectAsync("agent-1", "json.webpubsub.azure.v1");
        await client.ReceiveJsonAsync();
        var response = await Rest.SendAsync(_host, HttpMethod.Post, "users/agent-1/:send", "hello", "text/plain", aud);
        Assert.Equal(202, (int)response.StatusCode);
        var frame = await client.ReceiveJsonAsync();
        Assert.Equal("text", frame.Str("dataType"));
        Assert.Equal("hello", frame.Str("data"));
    }

    [Fact]
    public async Task Send_BadSignature_401WithErrorCode()
    {
        var response = await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{}", key: "wrong-key-0123456789-abcdefghijklmnopqrstuvwxyz");
        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal("Unauthorized", response.Headers.GetValues("x-ms-error-code").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unauthorized", body.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Send_NoToken_401()
    {
        var response = await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{}", authorize: false);
        Assert.Equal(401, (int)response.StatusCode);
    }

    [Fact]
    public async Task Send_TokenForAnotherPath_401()
    {
        var url = $"{_host.BaseUrl}/api/hubs/agents/users/someone-else/:send";
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{_host.BaseUrl}/api/hubs/agents/:send?api-version=2024-12-01") { Content = new StringContent("{}") };
        request.Headers.Authorization = new("Bearer", Smartspace.Realtime.Auth.HubJwt.Create(HubHost.Key, url, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5)));
        Assert.Equal(401, (int)(await http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task MissingApiVersion_400()
    {
        var response = await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{}", query: "");
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("MissingApiVersion", response.Headers.GetValues("x-ms-error-code").Single());
    }

    [Fact]
    public async Task Send_ContentTypeDecidesDataType()
    {
        await using var client = await _host.ConnectAsync("agent-1", "json.webpubsub.azure.v1");
        await client.ReceiveJsonAsync();
        await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{\"a\":1}");
        await Rest.SendAsync(_host, HttpMethod.Post, ":send", "AQID", "application/octet-stream");
        var json = await client.ReceiveJsonAsync();
        Assert.Equal("json", json.Str("dataType"));
        Assert.Equal(1, json.GetProperty("data").GetProperty("a").GetInt32());
        var binary = await client.ReceiveJsonAsync();
        Assert.Equal("binary", binary.Str("dataType"));
        Assert.Equal(Convert.ToBase64String("AQID"u8), binary.Str("data"));
    }

    [Fact]
    public async Task Exists_ConnectionGroupUser_200Or404()
    {
        await using var client = await _host.ConnectAsync("agent-1", groups: ["g1"]);
        var connectionId = (await client.ReceiveJsonAsync()).Str("connectionId");
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, $"connections/{connectionId}")).StatusCode);
        Assert.Equal(404, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "connections/nope")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/g1")).StatusCode);
        Assert.Equal(404, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/g2")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "users/agent-1")).StatusCode);
        Assert.Equal(404, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "users/agent-2")).StatusCode);

        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Put, $"groups/g2/connections/{connectionId}")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/g2")).StatusCode);
        Assert.Equal(204, (int)(await Rest.SendAsync(_host, HttpMethod.Delete, $"connections/{connectionId}/groups")).StatusCode);
        Assert.Equal(404, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/g1")).StatusCode);
    }

    [Fact]
    public async Task GenerateToken_ReturnsTokenThatConnects()
    {
        var response = await Rest.SendAsync(_host, HttpMethod.Post, ":generateToken", query: "api-version=2024-12-01&userId=agent-5&role=webpubsub.joinLeaveGroup&minutesToExpire=5&group=g9");
        Assert.Equal(200, (int)response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var token = body.RootElement.GetProperty("token").GetString();
        await using var client = await TestClient.ConnectAsync(new Uri($"{_host.ClientUrl}?access_token={token}"), "json.webpubsub.azure.v1");
        Assert.Equal("agent-5", (await client.ReceiveJsonAsync()).Str("userId"));
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/g9")).StatusCode);
    }

    [Fact]
    public async Task Health_Head200()
    {
        using var http = new HttpClient();
        Assert.Equal(200, (int)(await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, _host.BaseUrl + "/api/health"))).StatusCode);
    }

    [Fact]
    public async Task Send_WithODataFilter_ReachesOnlyMatchingConnections_AndABadFilterIs400AndSendsNothing()
    {
        await using var a = await _host.ConnectAsync("agent-a", "json.webpubsub.azure.v1", groups: ["queue"]);
        await using var b = await _host.ConnectAsync("agent-b", "json.webpubsub.azure.v1");
        await a.ReceiveJsonAsync();
        await b.ReceiveJsonAsync();

        var bad = await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{\"n\":0}", query: "api-version=2024-12-01&filter=" + Uri.EscapeDataString("userId eq"));
        Assert.Equal(400, (int)bad.StatusCode);
        Assert.Equal("InvalidRequest", bad.Headers.GetValues("x-ms-error-code").Single());

        Assert.Equal(202, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{\"n\":1}", query: "api-version=2024-12-01&filter=" + Uri.EscapeDataString("'queue' in groups"))).StatusCode);
        Assert.Equal(202, (int)(await Rest.SendAsync(_host, HttpMethod.Post, "users/agent-b/:send", "{\"n\":2}", query: "api-version=2024-12-01&filter=" + Uri.EscapeDataString("userId eq 'agent-a'"))).StatusCode);
        Assert.Equal(202, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":send", "{\"n\":3}", query: "api-version=2024-12-01&filter=" + Uri.EscapeDataString("not ('queue' in groups)"))).StatusCode);

        Assert.Equal(1, (await a.ReceiveJsonAsync()).GetProperty("data").GetProperty("n").GetInt32());
        Assert.Equal(3, (await b.ReceiveJsonAsync()).GetProperty("data").GetProperty("n").GetInt32()); // not 0, not 2
        await a.SendAsync("{\"type\":\"ping\"}");
        Assert.Equal("{\"type\":\"pong\"}", await a.ReceiveTextAsync()); // nothing else was queued for a
    }

    [Fact]
    public async Task AddAndRemoveFilteredConnectionsToGroups()
    {
        await using var a = await _host.ConnectAsync("agent-a", "json.webpubsub.azure.v1");
        await using var b = await _host.ConnectAsync("agent-b", "json.webpubsub.azure.v1");
        await a.ReceiveJsonAsync();
        await b.ReceiveJsonAsync();

        var added = await Rest.SendAsync(_host, HttpMethod.Post, ":addToGroups", "{\"groups\":[\"vip\",\"night\"],\"filter\":\"startswith(userId, 'agent-b')\"}");
        Assert.Equal(200, (int)added.StatusCode);
        var members = await Rest.SendAsync(_host, HttpMethod.Get, "groups/night/connections");
        using (var page = JsonDocument.Parse(await members.Content.ReadAsStringAsync()))
        {
            Assert.Equal(["agent-b"], page.RootElement.GetProperty("value").EnumerateArray().Select(m => m.GetProperty("userId").GetString()));
        }

        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":removeFromGroups", "{\"groups\":[\"vip\"]}")).StatusCode); // no filter: everyone
        Assert.Equal(404, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/vip")).StatusCode);
        Assert.Equal(200, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/night")).StatusCode);

        Assert.Equal(400, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":addToGroups", "{\"groups\":[],\"filter\":\"true\"}")).StatusCode);
        Assert.Equal(400, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":addToGroups", "{\"groups\":[\"x\"],\"filter\":\"userId eq\"}")).StatusCode);
        Assert.Equal(400, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":addToGroups", "{\"groups\":[\"x\"],\"filter\":7}")).StatusCode);
        Assert.Equal(400, (int)(await Rest.SendAsync(_host, HttpMethod.Post, ":addToGroups", "not json")).StatusCode);
        Assert.Equal(404, (int)(await Rest.SendAsync(_host, HttpMethod.Head, "groups/x")).StatusCode);
    }
}
