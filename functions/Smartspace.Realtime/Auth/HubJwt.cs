using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Smartspace.Realtime.Auth;

/// <summary>What a valid hub token says.</summary>
public sealed record HubTokenClaims(string? UserId, IReadOnlyList<string> Roles, IReadOnlyList<string> Groups, string Audience);

/// <summary>
/// HS256 JSON Web Tokens as Web PubSub uses them (client access tokens and REST bearer tokens), signed
/// with the UTF-8 bytes of the access key. Hand-rolled: the format is small and this avoids pulling a
/// token library into the hub's hot path.
/// </summary>
public static class HubJwt
{
    private static readonly byte[] HeaderSegment = Encoding.ASCII.GetBytes(Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8));

    /// <summary>Creates a token. <paramref name="roles"/> and <paramref name="groups"/> are written as arrays when present.</summary>
    public static string Create(
        string key,
        string audience,
        DateTimeOffset now,
        TimeSpan lifetime,
        string? userId = null,
        IEnumerable<string>? roles = null,
        IEnumerable<string>? groups = null)
    {
        using var payload = new MemoryStream();
        using (var w = new Utf8JsonWriter(payload))
        {
            w.WriteStartObject();
            w.WriteString("aud", audience);
            w.WriteNumber("iat", now.ToUnixTimeSeconds());
            w.WriteNumber("exp", now.Add(lifetime).ToUnixTimeSeconds());
            if (!string.IsNullOrEmpty(userId))
            {
                w.WriteString("sub", userId);
            }

            WriteArray(w, "role", roles);
            WriteArray(w, "webpubsub.group", groups);
            w.WriteEndObject();
        }

        var signingInput = new StringBuilder()
            .Append(Encoding.ASCII.GetString(HeaderSegment))
            .Append('.')
            .Append(Base64Url.EncodeToString(payload.ToArray()))
            .ToString();
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>
    /// Validates signature (HS256 only), <c>exp</c> (required), <c>nbf</c> (if present) and that <c>aud</c>
    /// is accepted by <paramref name="audienceAccepted"/>. Returns null when anything is wrong.
    /// </summary>
    public static HubTokenClaims? Validate(string? token, IReadOnlyList<string> keys, DateTimeOffset now, Func<string, bool> audienceAccepted)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 16 * 1024)
        {
            return null;
        }

        var firstDot = token.IndexOf('.');
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot == firstDot || lastDot == token.Length - 1)
        {
            return null;
        }

        byte[] header, payload, signature;
        try
        {
            header = Base64Url.DecodeFromChars(token.AsSpan(0, firstDot));
            payload = Base64Url.DecodeFromChars(token.AsSpan(firstDot + 1, lastDot - firstDot - 1));
            signature = Base64Url.DecodeFromChars(token.AsSpan(lastDot + 1));
        }
        catch (FormatException)
        {
            return null;
        }

        var signingInput = Encoding.ASCII.GetBytes(token, 0, lastDot);
        var signatureOk = false;
        foreach (var key in keys)
        {
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signingInput);
            signatureOk |= CryptographicOperations.FixedTimeEquals(expected, signature);
        }

        if (!signatureOk)
        {
            return null;
        }

        try
        {
            using (var h = JsonDocument.Parse(header))
            {
                if (h.RootElement.ValueKind != JsonValueKind.Object
                    || !h.RootElement.TryGetProperty("alg", out var alg)
                    || alg.ValueKind != JsonValueKind.String
                    || alg.GetString() != "HS256")
                {
                    return null;
                }
            }

            using var p = JsonDocument.Parse(payload);
            var root = p.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var nowSeconds = now.ToUnixTimeSeconds();
            if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || exp.GetDouble() <= nowSeconds)
            {
                return null;
            }

            if (root.TryGetProperty("nbf", out var nbf) && nbf.ValueKind == JsonValueKind.Number && nbf.GetDouble() > nowSeconds)
            {
                return null;
            }

            var audiences = ReadStrings(root, "aud");
            var matched = audiences.FirstOrDefault(audienceAccepted);
            if (matched is null)
            {
                return null;
            }

            string? sub = root.TryGetProperty("sub", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return new HubTokenClaims(string.IsNullOrEmpty(sub) ? null : sub, ReadStrings(root, "role"), ReadStrings(root, "webpubsub.group"), matched);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<string>? values)
    {
        if (values is null)
        {
            return;
        }

        var list = values.Where(v => !string.IsNullOrEmpty(v)).ToList();
        if (list.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in list)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>A claim that may be a string or an array of strings.</summary>
    private static List<string> ReadStrings(JsonElement root, string name)
    {
        var result = new List<string>();
        if (!root.TryGetProperty(name, out var value))
        {
            return result;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            result.Add(value.GetString()!);
        }
        else if (value.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String)
                {
                    result.Add(item.GetString()!);
                }
            }
        }

        return result;
    }
}
