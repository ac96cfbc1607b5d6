using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Realtime;

/// <summary><c>/api/negotiate</c>: the client access URL of the authenticated agent (design: "Real-time contract").</summary>
public sealed class NegotiateTests
{
    private const string Audience = "http://localhost/client/hubs/agents";

    [Fact]
    public async Task R18_negotiate_without_a_valid_token_is_401()
    {
        await using var host = new RealtimeHost();
        using var anonymous = host.Anonymous();
        using (var response = await anonymous.GetAsync("/api/negotiate"))
        {
            Assert.Equal(401, (int)response.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/negotiate");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token");
        using (var response = await anonymous.SendAsync(request))
        {
            Assert.Equal(401, (int)response.StatusCode);
        }

        // A token of the agent API signed with another key is refused too.
        var token = host.TokenFor("ana");
        var parts = token.Split('.');
        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/negotiate");
        forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", parts[0] + "." + parts[1] + "." + Base64Url.EncodeToString(new byte[32]));
        using (var response = await anonymous.SendAsync(forged))
        {
            Assert.Equal(401, (int)response.StatusCode);
        }
    }

    [Fact]
    public async Task R18_negotiate_gives_an_agent_a_token_for_its_own_user_id_and_its_contact_centers_group()
    {
        await using var host = new RealtimeHost();
        var body = await NegotiateAsync(host, "ana", HandlerFactory.TenantId, AgentRole.Agent);

        Assert.Equal("ana", body.GetProperty("userId").GetString());
        Assert.Equal(["tenant.demo"], Strings(body.GetProperty("groups")));
        var baseUrl = body.GetProperty("baseUrl").GetString()!;
        Assert.Equal("ws://localhost/client/hubs/agents", baseUrl);
        var token = body.GetProperty("accessToken").GetString()!;
        Assert.Equal(baseUrl + "?access_token=" + Uri.EscapeDataString(token), body.GetProperty("url").GetString());

        var claims = Payload(token);
        Assert.Equal("ana", claims.GetProperty("sub").GetString());
        Assert.Equal(Audience, claims.GetProperty("aud").GetString());
        var groups = Strings(claims.GetProperty("webpubsub.group"));
        Assert.Contains("tenant.demo", groups);
        Assert.DoesNotContain("supervisors.demo", groups);
        Assert.True(claims.GetProperty("exp").GetInt64() > host.Clock.GetUtcNow().ToUnixTimeSeconds());

        // The URL works as is: the hub accepts it and the connection's user id is the agent id.
        var socket = await host.ConnectAsync("ana");
        Assert.Equal("ana", socket.UserId);
        Assert.Contains(await host.GroupConnectionsAsync("tenant.demo"), m => m.ConnectionId == socket.ConnectionId && m.UserId == "ana");
    }

    [Fact]
    public async Task R18_negotiate_gives_a_supervisor_the_supervisors_group_of_its_contact_center()
    {
        await using var host = new RealtimeHost();
        var body = await NegotiateAsync(host, "carla", HandlerFactory.TenantId, AgentRole.Supervisor);

        Assert.Equal("carla", body.GetProperty("userId").GetString());
        Assert.Equal(["tenant.demo", "supervisors.demo"], Strings(body.GetProperty("groups")));
        var claims = Payload(body.GetProperty("accessToken").GetString()!);
        Assert.Equal("carla", claims.GetProperty("sub").GetString());
        Assert.Equal(Audience, claims.GetProperty("aud").GetString());
        var groups = Strings(claims.GetProperty("webpubsub.group"));
        Assert.Contains("tenant.demo", groups);
        Assert.Contains("supervisors.demo", groups);

        // Another contact center's agent gets only its own contact center's group.
        var diego = await NegotiateAsync(host, "diego", "outro", AgentRole.Agent);
        Assert.Equal(["tenant.outro"], Strings(diego.GetProperty("groups")));
        Assert.Equal(["tenant.outro"], Strings(Payload(diego.GetProperty("accessToken").GetString()!).GetProperty("webpubsub.group")));
    }

    [Fact]
    public async Task R18_the_hub_refuses_a_negotiated_url_whose_token_was_tampered_with()
    {
        await using var host = new RealtimeHost();
        var body = await NegotiateAsync(host, "ana", HandlerFactory.TenantId, AgentRole.Agent);
        var token = body.GetProperty("accessToken").GetString()!;
        var parts = token.Split('.');
        // Same signature, payload claiming to be carla with the supervisors group.
        var payload = Payload(token).GetRawText().Replace("\"ana\"", "\"carla\"", StringComparison.Ordinal).Replace("\"tenant.demo\"", "\"tenant.demo\",\"supervisors.demo\"", StringComparison.Ordinal);
        var tampered = parts[0] + "." + Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload)) + "." + parts[2];
        var url = body.GetProperty("baseUrl").GetString() + "?access_token=" + Uri.EscapeDataString(tampered);

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HubSocket.ConnectAsync(host.Server, url));
        Assert.Contains("401", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await host.GroupConnectionsAsync("supervisors.demo"));
    }

    private static async Task<JsonElement> NegotiateAsync(RealtimeHost host, string agentId, string tenantId, AgentRole role)
    {
        using var client = host.ClientFor(agentId, tenantId, role);
        using var response = await client.PostAsync("/api/negotiate", null);
        Assert.Equal(200, (int)response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static JsonElement Payload(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("HS256", header.RootElement.GetProperty("alg").GetString());
        return JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone();
    }

    private static List<string> Strings(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? [value.GetString()!] : value.EnumerateArray().Select(v => v.GetString()!).ToList();
}
