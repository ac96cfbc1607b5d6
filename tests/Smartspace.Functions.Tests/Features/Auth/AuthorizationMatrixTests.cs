using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;

namespace Smartspace.Functions.Tests.Features.Auth;

/// <summary>
/// Authorization as one table: every agent API endpoint × every kind of caller, each cell the exact refusal
/// (status + code) or "allowed" (authorization passed: neither 401, 403 nor 404; never 5xx). Each request is
/// authorized against the stored agent row, so a demoted supervisor and a removed agent are refused at once.
/// </summary>
public sealed class AuthorizationMatrixTests : IDisposable
{
    private readonly HandlerFactory factory = new();

    private enum Who { NoToken, Expired, WrongAudience, OtherContactCenter, OtherAgent, Agent, Supervisor, DemotedSupervisor, RemovedAgent }

    private sealed record Cell(HttpStatusCode? Status, string? Code)
    {
        public static readonly Cell Allowed = new(null, null);
    }

    private static readonly Cell Unauthenticated = new(HttpStatusCode.Unauthorized, "unauthenticated");
    private static readonly Cell Forbidden = new(HttpStatusCode.Forbidden, "forbidden");
    private static readonly Cell NotOwner = new(HttpStatusCode.Forbidden, "not_conversation_owner");
    private static readonly Cell NoConversation = new(HttpStatusCode.NotFound, "conversation_not_found");
    private static readonly Cell NoChannel = new(HttpStatusCode.NotFound, "channel_not_found");
    private static readonly Cell Ok = Cell.Allowed;

    /// <summary>Columns: OtherContactCenter, OtherAgent, Agent (the owner), Supervisor, DemotedSupervisor. No token, expired, wrong audience and removed are the same refusal everywhere.</summary>
    private static IEnumerable<(string Method, string Url, Func<string, object?> Body, Cell[] Cells)> Endpoints()
    {
        static object? None(string _) => null;
        const string ch = HandlerFactory.ChannelId;
        yield return ("GET", "/api/agent/me", None, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("POST", "/api/agent/me/status", _ => new { available = false }, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("POST", "/api/agent/numbers/check", _ => new { number = "11987650000" }, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("GET", "/api/agent/channels", None, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("GET", $"/api/agent/channels/{ch}/templates", None, [NoChannel, Ok, Ok, Ok, Ok]);
        yield return ("POST", $"/api/agent/channels/{ch}/templates/preview", _ => Desk.Confirmacao(), [NoChannel, Ok, Ok, Ok, Ok]);
        yield return ("GET", "/api/agent/conversations", None, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("POST", "/api/agent/conversations", _ => new { channelId = ch, number = Desk.Mobile(9), template = Desk.Retomada() }, [NoChannel, Ok, Ok, Ok, Ok]);
        yield return ("GET", "/api/agent/conversations/{id}", None, [NoConversation, Forbidden, Ok, Ok, Forbidden]);
        yield return ("POST", "/api/agent/conversations/{id}/messages", _ => new { text = "oi" }, [NoConversation, NotOwner, Ok, NotOwner, NotOwner]);
        yield return ("POST", "/api/agent/conversations/{id}/templates", _ => new { template = Desk.Confirmacao() }, [NoConversation, NotOwner, Ok, NotOwner, NotOwner]);
        yield return ("GET", "/api/agent/history", None, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("GET", "/api/agent/history?agentId=ana", None, [Forbidden, Forbidden, Ok, Ok, Forbidden]);
        yield return ("GET", "/api/agent/qualifications", None, [Ok, Ok, Ok, Ok, Ok]);
        yield return ("GET", "/api/agent/admin/agents", None, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("PUT", "/api/agent/admin/qualifications/matriz", _ => new { name = "Matriz" }, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("PUT", "/api/agent/admin/settings", _ => new { botEnabled = false }, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("POST", "/api/agent/bot/conversations/{id}/handoff", None, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        // LGPD (supervisors only): an erasure of the customer in service is refused with 409 once authorized, changing nothing.
        yield return ("GET", "/api/agent/admin/privacy/settings", None, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("PUT", "/api/agent/admin/privacy/settings", _ => new { messageRetentionDays = 365, mediaRetentionDays = 30 }, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("POST", "/api/agent/admin/privacy/export", _ => new { number = Desk.Mobile(1) }, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("POST", "/api/agent/admin/privacy/erasure", _ => new { number = Desk.Mobile(1) }, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("GET", "/api/agent/admin/audit", None, [Forbidden, Forbidden, Forbidden, Ok, Forbidden]);
        yield return ("GET", "/api/negotiate", None, [Ok, Ok, Ok, Ok, Ok]);
        // Last: the owner's finish closes the conversation.
        yield return ("POST", "/api/agent/conversations/{id}/finish", _ => new { }, [NoConversation, NotOwner, Ok, Ok, NotOwner]);
    }

    [Fact]
    public async Task Authorization_EveryEndpointTimesEveryCaller_IsRefusedOrAllowedAsTheTableSays()
    {
        var conversationId = (await factory.ClientFor("ana").StartCreatedAsync(Desk.Mobile(1), Desk.Retomada())).ConversationId();
        var clients = await ClientsAsync();
        var failures = new List<string>();
        foreach (var (method, template, body, cells) in Endpoints())
        {
            var url = template.Replace("{id}", conversationId, StringComparison.Ordinal);
            var expected = new Dictionary<Who, Cell>
            {
                [Who.NoToken] = Unauthenticated,
                [Who.Expired] = Unauthenticated,
                [Who.WrongAudience] = Unauthenticated,
                [Who.RemovedAgent] = Forbidden,
                [Who.OtherContactCenter] = cells[0],
                [Who.OtherAgent] = cells[1],
                [Who.DemotedSupervisor] = cells[4],
                [Who.Supervisor] = cells[3],
                [Who.Agent] = cells[2], // the owner last: a write of theirs may close the conversation
            };
            foreach (var (who, cell) in expected)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (body(conversationId) is { } payload)
                {
                    request.Content = JsonContent(payload);
                }

                using var response = await clients[who].SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                var status = (int)response.StatusCode;
                var ok = cell.Status is { } refusal
                    ? response.StatusCode == refusal && text.Contains($"\"code\":\"{cell.Code}\"", StringComparison.Ordinal) && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    : status is not (401 or 403 or 404) && status < 500;
                if (!ok)
                {
                    failures.Add($"{method} {template} as {who}: expected {(cell.Status is null ? "allowed" : $"{(int)cell.Status} {cell.Code}")}, got {status} {text}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private async Task<Dictionary<Who, HttpClient>> ClientsAsync()
    {
        var issuer = factory.Get<AgentTokenIssuer>();
        var supervisor = factory.ClientFor("carla", role: AgentRole.Supervisor);

        // dora is made a supervisor, gets a supervisor token, and is demoted: the token still says supervisor.
        using (var promote = await supervisor.PutAsync("/api/agent/admin/agents/dora", JsonContent(new { name = "Dora", role = "supervisor", maxConcurrent = 2 })))
        {
            Assert.Equal(HttpStatusCode.OK, promote.StatusCode);
        }

        var demoted = factory.ClientFor("dora", role: AgentRole.Supervisor);
        using (var demote = await supervisor.PutAsync("/api/agent/admin/agents/dora", JsonContent(new { name = "Dora", role = "agent", maxConcurrent = 2 })))
        {
            Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
        }

        var expired = factory.CreateClient();
        expired.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issuer.Issue(HandlerFactory.TenantId, "ana", AgentRole.Agent, TimeSpan.FromSeconds(1)));
        var wrongAudience = factory.CreateClient();
        wrongAudience.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TokenFor("some-other-api"));
        factory.Clock.Advance(TimeSpan.FromMinutes(5)); // the 1-second token is now expired (beyond the 30 s skew)

        return new Dictionary<Who, HttpClient>
        {
            [Who.NoToken] = factory.CreateClient(),
            [Who.Expired] = expired,
            [Who.WrongAudience] = wrongAudience,
            [Who.OtherContactCenter] = factory.ClientFor("diego", "outro"),
            [Who.OtherAgent] = factory.ClientFor("bruno"),
            [Who.Agent] = factory.ClientFor("ana"),
            [Who.Supervisor] = supervisor,
            [Who.DemotedSupervisor] = demoted,
            // A supervisor's token naming an agent id that is not registered in the contact center (removed, or never there).
            [Who.RemovedAgent] = factory.ClientFor("ex-supervisor", role: AgentRole.Supervisor),
        };
    }

    /// <summary>A token signed with the right key and issuer but for another audience.</summary>
    private string TokenFor(string audience)
    {
        var now = factory.Clock.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "smartspace-test",
            Audience = audience,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.AddHours(8),
            Claims = new Dictionary<string, object> { ["sub"] = "ana", [Caller.TenantClaim] = HandlerFactory.TenantId, [Caller.RoleClaim] = "agent" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes("test-jwt-signing-key-0123456789abcdef0123456789")), SecurityAlgorithms.HmacSha256),
        });
    }

    private static StringContent JsonContent(object payload) =>
        new(System.Text.Json.JsonSerializer.Serialize(payload, HttpJson.Options), Encoding.UTF8, "application/json");

    public void Dispose() => factory.Dispose();
}
