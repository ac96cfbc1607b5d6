using Microsoft.Extensions.Options;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features.Auth;

public sealed record DevTokenRequest(string? TenantId, string? AgentId);

/// <summary>
/// <c>POST /api/dev/token</c>: a token for a seeded agent, and <c>GET /api/dev/agents</c>: the seeded agents (the console's sign-in picker), for local use only — mapped only in local mode,
/// with <c>Auth:DevTokensEnabled</c>, in the Development environment. In Azure, tokens come from Entra ID.
/// </summary>
public static class DevTokens
{
    public static void Map(IEndpointRouteBuilder group, IServiceProvider services, IHostEnvironment environment)
    {
        var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
        if (!auth.DevTokensEnabled || !environment.IsDevelopment())
        {
            return;
        }

        group.MapPost("/api/dev/token", async (DevTokenRequest body, LedgerStore ledger, AgentTokenIssuer issuer, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body.AgentId))
            {
                return ApiProblems.BadRequest("agentId is required.");
            }

            var tenantId = string.IsNullOrWhiteSpace(body.TenantId) ? "demo" : body.TenantId;
            var agent = await ledger.GetAgentAsync(tenantId, body.AgentId, ct);
            if (agent is null)
            {
                return ApiProblems.Refusal(Core.Conversations.RefusalCode.AgentNotFound);
            }

            return Results.Ok(new { accessToken = issuer.Issue(tenantId, agent.AgentId, agent.Role), tenantId, agentId = agent.AgentId, role = agent.Role.ToString().ToLowerInvariant() });
        }).AllowAnonymous().WithTags("local");

        // The console's local sign-in picker: the seeded agents of a contact center (never mapped outside local development).
        group.MapGet("/api/dev/agents", async (string? tenantId, LedgerStore ledger, CancellationToken ct) =>
        {
            var tenant = string.IsNullOrWhiteSpace(tenantId) ? "demo" : tenantId;
            var agents = await ledger.GetAgentsAsync(tenant, ct);
            return Results.Ok(new { tenantId = tenant, agents = agents.OrderBy(a => a.AgentId, StringComparer.Ordinal).Select(a => new { a.AgentId, a.Name, role = a.Role.ToString().ToLowerInvariant() }) });
        }).AllowAnonymous().WithTags("local");
    }
}
