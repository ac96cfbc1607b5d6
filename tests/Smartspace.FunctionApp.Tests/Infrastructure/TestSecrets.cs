using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Smartspace.FunctionApp.Tests.Infrastructure;

/// <summary>
/// The secrets the worker is configured with in these tests, and what a caller does with them: Meta signs the
/// webhook body (HMAC-SHA256, computed here independently of the product's code), the identity provider signs
/// agent tokens (HS256 with the configured key). Tests also assert that none of these ever reaches a log.
/// </summary>
public static class TestSecrets
{
    public const string AppSecret = "worker-host-app-secret-4f1c";
    public const string VerifyToken = "worker-host-verify-token-9b2e";
    public const string AccessToken = "worker-host-graph-access-token-77aa";
    public const string SigningKey = "worker-host-jwt-signing-key-0123456789abcdef0123";
    public const string WebPubSubAccessKey = "worker-host-webpubsub-access-key-0123456789abcdef";
    public const string Issuer = "smartspace-worker-host-tests";
    public const string Audience = "smartspace-agent-api";

    public static IReadOnlyList<string> All { get; } = [AppSecret, VerifyToken, AccessToken, SigningKey, WebPubSubAccessKey];

    /// <summary><c>sha256=&lt;lower-case hex HMAC-SHA256 of the raw body with the app secret&gt;</c>, as Meta sends it.</summary>
    public static string MetaSignature(byte[] body, string appSecret = AppSecret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));

    /// <summary>An agent-API bearer token for <paramref name="agentId"/> of contact center <paramref name="tenantId"/>.</summary>
    public static string AgentToken(string agentId, string role, string tenantId = "demo", DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = at.UtcDateTime,
            NotBefore = at.UtcDateTime.AddSeconds(-5),
            Expires = at.UtcDateTime.AddHours(1),
            Claims = new Dictionary<string, object> { ["sub"] = agentId, ["tenant"] = tenantId, ["role"] = role },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
