using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Smartspace.Realtime.Events;

/// <summary>The CloudEvents (binary mode) headers of one Web PubSub event request, as received.</summary>
public sealed record WebPubSubEventRequest(
    string Type,
    string Hub,
    string ConnectionId,
    string? UserId,
    string EventName,
    string? Subprotocol,
    string? Signature,
    string? Id)
{
    public const string ConnectedType = "azure.webpubsub.sys.connected";
    public const string DisconnectedType = "azure.webpubsub.sys.disconnected";
    public const string ConnectType = "azure.webpubsub.sys.connect";
    public const string UserEventPrefix = "azure.webpubsub.user.";

    public bool IsConnected => Type == ConnectedType;

    public bool IsDisconnected => Type == DisconnectedType;

    public bool IsUserEvent => Type.StartsWith(UserEventPrefix, StringComparison.Ordinal);

    /// <summary>Reads the <c>ce-*</c> headers; false when a required one (type, hub, connectionId, eventName) is missing.</summary>
    public static bool TryParse(HttpRequest request, [NotNullWhen(true)] out WebPubSubEventRequest? result)
    {
        string? Header(string name) => request.Headers.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v.ToString() : null;

        var type = Header("ce-type");
        var hub = Header("ce-hub");
        var connectionId = Header("ce-connectionId");
        var eventName = Header("ce-eventName");
        if (type is null || hub is null || connectionId is null || eventName is null)
        {
            result = null;
            return false;
        }

        result = new WebPubSubEventRequest(type, hub, connectionId, Header("ce-userId"), eventName, Header("ce-subprotocol"), Header("ce-signature"), Header("ce-id"));
        return true;
    }
}

/// <summary>
/// The receiving side of Web PubSub events: checks <c>ce-signature</c> (any <c>sha256=</c> entry that
/// matches HMAC-SHA256(key, connectionId) for any configured key, constant-time) and answers the
/// abuse-protection <c>OPTIONS</c> handshake.
/// </summary>
public sealed class WebPubSubEventValidator
{
    private readonly byte[][] _keys;
    private readonly HashSet<string>? _allowedOrigins;

    /// <param name="accessKeys">Primary and/or secondary access keys.</param>
    /// <param name="allowedOrigins">Hosts allowed to call (e.g. <c>name.webpubsub.azure.com</c>); null or empty = any.</param>
    public WebPubSubEventValidator(IEnumerable<string> accessKeys, IEnumerable<string>? allowedOrigins = null)
    {
        _keys = accessKeys.Where(k => !string.IsNullOrEmpty(k)).Select(k => Encoding.UTF8.GetBytes(k)).ToArray();
        var origins = allowedOrigins?.Where(o => !string.IsNullOrEmpty(o)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        _allowedOrigins = origins is { Count: > 0 } ? origins : null;
    }

    /// <summary><c>sha256=&lt;hex HMAC-SHA256(key, connectionId)&gt;</c>, the form the service sends.</summary>
    public static string ComputeSignature(string accessKey, string connectionId) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(accessKey), Encoding.UTF8.GetBytes(connectionId)));

    public bool IsValid(WebPubSubEventRequest request) => IsSignatureValid(request.ConnectionId, request.Signature);

    public bool IsSignatureValid(string connectionId, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(signatureHeader) || _keys.Length == 0)
        {
            return false;
        }

        var data = Encoding.UTF8.GetBytes(connectionId);
        var expected = _keys.Select(k => HMACSHA256.HashData(k, data)).ToArray();
        var ok = false;
        foreach (var part in signatureHeader.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!part.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            byte[] given;
            try
            {
                given = Convert.FromHexString(part.AsSpan("sha256=".Length));
            }
            catch (FormatException)
            {
                continue;
            }

            foreach (var e in expected)
            {
                ok |= CryptographicOperations.FixedTimeEquals(e, given);
            }
        }

        return ok;
    }

    /// <summary>
    /// Answers the abuse-protection handshake when <paramref name="context"/> is one (an <c>OPTIONS</c>
    /// with <c>WebHook-Request-Origin</c>): 200 with <c>WebHook-Allowed-Origin</c>, or 401 for an origin
    /// not allowed. Returns false (and writes nothing) for any other request.
    /// </summary>
    public bool TryHandleAbuseProtection(HttpContext context)
    {
        if (!HttpMethods.IsOptions(context.Request.Method))
        {
            return false;
        }

        var origins = context.Request.Headers["WebHook-Request-Origin"].ToString();
        if (string.IsNullOrEmpty(origins))
        {
            return false;
        }

        if (_allowedOrigins is null)
        {
            context.Response.Headers["WebHook-Allowed-Origin"] = "*";
            context.Response.StatusCode = StatusCodes.Status200OK;
            return true;
        }

        var match = origins.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(_allowedOrigins.Contains);
        if (match is null)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return true;
        }

        context.Response.Headers["WebHook-Allowed-Origin"] = match;
        context.Response.StatusCode = StatusCodes.Status200OK;
        return true;
    }
}
