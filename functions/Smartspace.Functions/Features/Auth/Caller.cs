using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Hosting;

namespace Smartspace.Functions.Features.Auth;

/// <summary>The authenticated agent behind a request: every call is scoped to their contact center.</summary>
public sealed record Caller(string TenantId, string AgentId, AgentRole Role)
{
    public const string TenantClaim = "tenant";
    public const string RoleClaim = "role";

    public bool IsSupervisor => Role == AgentRole.Supervisor;

    public static Caller? From(ClaimsPrincipal user)
    {
        var agentId = user.FindFirst(JwtRegisteredClaimNames.Sub)?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        var tenantId = user.FindFirst(TenantClaim)?.Value;
        if (string.IsNullOrEmpty(agentId) || string.IsNullOrEmpty(tenantId))
        {
            return null;
        }

        var roles = user.FindAll(RoleClaim).Concat(user.FindAll(ClaimTypes.Role)).Select(c => c.Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var role = roles.Contains("supervisor") ? AgentRole.Supervisor : roles.Contains("bot") ? AgentRole.Bot : AgentRole.Agent;
        return new Caller(tenantId, agentId, role);
    }
}

/// <summary>Issues HS256 tokens for the agent API with the configured key (the development token endpoint and tests).</summary>
public sealed class AgentTokenIssuer(Microsoft.Extensions.Options.IOptions<AuthOptions> options, TimeProvider time)
{
    public string Issue(string tenantId, string agentId, AgentRole role, TimeSpan? lifetime = null)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = o.Issuer,
            Audience = o.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime.AddSeconds(-5),
            Expires = (now + (lifetime ?? o.DevTokenLifetime)).UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = agentId,
                [Caller.TenantClaim] = tenantId,
                [Caller.RoleClaim] = role.ToString().ToLowerInvariant(),
            },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(o.SigningKey)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
