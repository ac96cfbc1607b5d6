using System.Security.Cryptography;
using System.Text;

namespace Smartspace.Meta.Signing;

/// <summary>
/// <c>X-Hub-Signature-256</c> (P2): <c>sha256=</c> + lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the app secret.
/// </summary>
public static class MetaSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>The header value for <paramref name="body"/>: <c>sha256=&lt;64 hex&gt;</c>.</summary>
    public static string Compute(string appSecret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(appSecret);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, mac);
        return Prefix + Convert.ToHexStringLower(mac);
    }

    /// <summary>
    /// True only when <paramref name="headerValue"/> is <c>sha256=&lt;hex&gt;</c> and the HMAC matches (constant-time).
    /// A missing secret, a missing/other prefix or malformed hex is false: with no secret nothing can be trusted.
    /// </summary>
    public static bool Verify(string? appSecret, ReadOnlySpan<byte> body, string? headerValue)
    {
        if (string.IsNullOrEmpty(appSecret) || headerValue is null || !headerValue.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var hex = headerValue.AsSpan(Prefix.Length).Trim();
        if (hex.Length != HMACSHA256.HashSizeInBytes * 2)
        {
            return false;
        }

        Span<byte> given = stackalloc byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(hex, given, out _, out var written) != System.Buffers.OperationStatus.Done || written != given.Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
