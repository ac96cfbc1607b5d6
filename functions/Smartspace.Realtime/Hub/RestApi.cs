using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Auth;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// The data-plane REST API (api-version 2024-12-01) of the embedded hub. Every <c>/api/hubs</c> call
/// needs <c>?api-version=</c> and a Bearer HS256 JWT signed with the access key whose <c>aud</c> names
/// this request (with or without query string, or the bare hub URL).
/// OData <c>filter</c> (<see cref="ConnectionFilter"/>) on the three sends and on <c>:addToGroups</c> /
/// <c>:removeFromGroups</c>; an invalid one is 400. Dynamic permissions (<c>sendToGroup</c>, <c>joinLeaveGroup</c>, with
/// or without <c>targetName</c>) change the connection's <see cref="RoleSet"/>.
/// </summary>
internal sealed class RestApi(EmbeddedHub hubs, IOptions<WebPubSubOptions> options, TimeProvider time)
{
    public const string ApiVersion = "2024-12-01";
    private const int MaxBodyBytes = 1024 * 1024;

    private delegate Task Operation(HttpContext context, RestApi api, HubState hub);

    public static void Map(IEndpointRouteBuilder app, bool testHooks, bool mapHealth = true)
    {
        if (mapHealth)
        {
            app.MapMethods("/api/health", ["HEAD", "GET"], (HttpContext c) => { c.Response.StatusCode = 200; return Task.CompletedTask; });
        }

        var h = "/api/hubs/{hub}";
        // Sends to a group arrive as group messages naming the group (as in Azure); the others as server messages.
        Route(app, "POST", h + "/:send", (c, api, hub) => api.SendAsync(c, HubMessage.FromServer, (m, f) => hub.SendToAll(m, Excluded(c), f)));
        Route(app, "POST", h + "/users/{userId}/:send", (c, api, hub) => api.SendAsync(c, HubMessage.FromServer, (m, f) => hub.SendToUser(Value(c, "userId"), m, f)));
        Route(app, "POST", h + "/groups/{group}/:send", (c, api, hub) =>
            Group(c) is { } g ? api.SendAsync(c, p => HubMessage.FromServerToGroup(g, p), (m, f) => hub.SendToGroup(g, m, Excluded(c), f)) : BadGroup(c));
        Route(app, "POST", h + "/connections/{connectionId}/:send", (c, api, hub) => api.SendAsync(c, HubMessage.FromServer, (m, _) => hub.SendToConnection(Value(c, "connectionId"), m)));

        Route(app, "PUT", h + "/users/{userId}/groups/{group}", (c, _, hub) =>
            Group(c) is { } g ? Status(c, 200, () => hub.AddUserToGroup(Value(c, "userId"), g)) : BadGroup(c));
        Route(app, "DELETE", h + "/users/{userId}/groups/{group}", (c, _, hub) =>
            Group(c) is { } g ? Status(c, 204, () => hub.RemoveUserFromGroup(Value(c, "userId"), g)) : BadGroup(c));
        Route(app, "DELETE", h + "/users/{userId}/groups", (c, _, hub) => Status(c, 204, () => hub.RemoveUserFromAllGroups(Value(c, "userId"))));

        Route(app, "PUT", h + "/groups/{group}/connections/{connectionId}", (c, _, hub) =>
            Group(c) is not { } g ? BadGroup(c)
            : hub.AddConnectionToGroup(Value(c, "connectionId"), g) ? Status(c, 200)
            : HubErrors.WriteAsync(c, 404, "NotFound", "The connection does not exist."));
        Route(app, "DELETE", h + "/groups/{group}/connections/{connectionId}", (c, _, hub) =>
            Group(c) is { } g ? Status(c, 204, () => hub.RemoveConnectionFromGroup(Value(c, "connectionId"), g)) : BadGroup(c));
        Route(app, "GET", h + "/groups/{group}/connections", (c, _, hub) => ListGroupAsync(c, hub));
        Route(app, "DELETE", h + "/connections/{connectionId}/groups", (c, _, hub) => Status(c, 204, () => hub.RemoveConnectionFromAllGroups(Value(c, "connectionId"))));

        Route(app, "DELETE", h + "/connections/{connectionId}", (c, _, hub) => Status(c, 204, () => hub.CloseConnection(Value(c, "connectionId"), Reason(c))));
        Route(app, "POST", h + "/:closeConnections", (c, _, hub) => Status(c, 204, () => hub.CloseAll(Excluded(c), Reason(c))));
        Route(app, "POST", h + "/groups/{group}/:closeConnections", (c, _, hub) =>
            Group(c) is { } g ? Status(c, 204, () => hub.CloseGroup(g, Excluded(c), Reason(c))) : BadGroup(c));
        Route(app, "POST", h + "/users/{userId}/:closeConnections", (c, _, hub) => Status(c, 204, () => hub.CloseUser(Value(c, "userId"), Excluded(c), Reason(c))));

        Route(app, "HEAD", h + "/connections/{connectionId}", (c, _, hub) => Status(c, hub.ConnectionExists(Value(c, "connectionId")) ? 200 : 404));
        Route(app, "HEAD", h + "/groups/{group}", (c, _, hub) => Status(c, hub.GroupExists(Value(c, "group")) ? 200 : 404));
        Route(app, "HEAD", h + "/users/{userId}", (c, _, hub) => Status(c, hub.UserExists(Value(c, "userId")) ? 200 : 404));

        Route(app, "POST", h + "/:generateToken", (c, api, _) => api.GenerateTokenAsync(c));

        Route(app, "POST", h + "/:addToGroups", (c, _, hub) => FilteredGroupsAsync(c, hub.AddToGroups));
        Route(app, "POST", h + "/:removeFromGroups", (c, _, hub) => FilteredGroupsAsync(c, hub.RemoveFromGroups));
        Route(app, "PUT", h + "/permissions/{permission}/connections/{connectionId}", (c, _, hub) =>
            Permission(c, hub, (session, p, target) => { session.Roles.Grant(p, target); return Status(c, 200); }, missing: 404));
        Route(app, "DELETE", h + "/permissions/{permission}/connections/{connectionId}", (c, _, hub) =>
            Permission(c, hub, (session, p, target) => { session.Roles.Revoke(p, target); return Status(c, 204); }, missing: 204));
        Route(app, "HEAD", h + "/permissions/{permission}/connections/{connectionId}", (c, _, hub) =>
            Permission(c, hub, (session, p, target) => Status(c, session.Roles.Check(p, target) ? 200 : 404), missing: 404));

        if (testHooks)
        {
            Route(app, "POST", h + "/connections/{connectionId}/:abort", (c, _, hub) =>
                Status(c, hub.AbortTransport(Value(c, "connectionId")) ? 204 : 404));
        }
    }

    private static void Route(IEndpointRouteBuilder app, string method, string pattern, Operation operation) =>
        app.MapMethods(pattern, [method], async (HttpContext context) =>
        {
            var api = context.RequestServices.GetRequiredService<RestApi>();
            var hubName = Value(context, "hub");
            if (!HubName.IsValid(hubName))
            {
                await HubErrors.WriteAsync(context, 400, "InvalidHub", "The hub name is not valid.");
                return;
            }

            if (!api.IsAuthorized(context, hubName))
            {
                await HubErrors.WriteAsync(context, 401, "Unauthorized", "The bearer token is missing, invalid, expired or for another URL.");
                return;
            }

            if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
            {
                await HubErrors.WriteAsync(context, 400, "MissingApiVersion", "The api-version query parameter is required.");
                return;
            }

            if (context.Request.Query["messageTtlSeconds"].ToString() is { Length: > 0 } ttl
                && (!int.TryParse(ttl, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 300))
            {
                await HubErrors.WriteAsync(context, 400, "InvalidRequest", "messageTtlSeconds must be between 0 and 300.");
                return;
            }

            await operation(context, api, api.Hubs.Get(hubName));
        });

    private EmbeddedHub Hubs => hubs;

    /// <summary>The token's audience may be the full request URL, the URL without query, or the hub URL.</summary>
    private bool IsAuthorized(HttpContext context, string hub)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        var path = context.Request.PathBase.Add(context.Request.Path).ToUriComponent();
        var candidates = new List<string> { path, path + context.Request.QueryString.ToUriComponent(), "/api/hubs/" + hub };
        if (!string.IsNullOrEmpty(rawTarget))
        {
            candidates.Add(rawTarget);
            var q = rawTarget.IndexOf('?');
            if (q >= 0)
            {
                candidates.Add(rawTarget[..q]);
            }
        }

        var authorities = RequestAuthorities.For(context, options.Value.Endpoint);
        return HubJwt.Validate(header["Bearer ".Length..].Trim(), [options.Value.AccessKey], time.GetUtcNow(), aud => AudienceMatcher.Matches(aud, authorities, candidates)) is not null;
    }

    private async Task SendAsync(HttpContext context, Func<MessagePayload, HubMessage> envelope, Action<HubMessage, ConnectionFilter?> send)
    {
        ConnectionFilter? filter;
        try
        {
            filter = ConnectionFilter.Parse(context.Request.Query["filter"].ToString());
        }
        catch (ConnectionFilterException e)
        {
            await HubErrors.WriteAsync(context, 400, "InvalidRequest", e.Message);
            return;
        }

        var body = await ReadBodyAsync(context);
        if (body is null)
        {
            await HubErrors.WriteAsync(context, 413, "RequestEntityTooLarge", $"The message is larger than {MaxBodyBytes} bytes.");
            return;
        }

        MessagePayload? payload;
        try
        {
            payload = MessagePayload.FromContent(context.Request.ContentType, body);
        }
        catch (JsonException)
        {
            await HubErrors.WriteAsync(context, 400, "InvalidRequest", "The body is not valid JSON.");
            return;
        }

        if (payload is null)
        {
            await HubErrors.WriteAsync(context, 400, "InvalidRequest", "Content-Type must be application/json, text/plain or application/octet-stream.");
            return;
        }

        send(envelope(payload), filter);
        context.Response.StatusCode = 202;
    }

    /// <summary><c>:addToGroups</c> / <c>:removeFromGroups</c>: body <c>{"groups":[…],"filter":"…"}</c>.</summary>
    private static async Task FilteredGroupsAsync(HttpContext context, Action<IReadOnlyList<string>, ConnectionFilter?> change)
    {
        var body = await ReadBodyAsync(context);
        if (body is null)
        {
            await HubErrors.WriteAsync(context, 413, "RequestEntityTooLarge", $"The body is larger than {MaxBodyBytes} bytes.");
            return;
        }

        List<string> groups;
        ConnectionFilter? filter;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("groups", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                await HubErrors.WriteAsync(context, 400, "InvalidRequest", "The body must be {\"groups\":[…],\"filter\":\"…\"}.");
                return;
            }

            groups = list.EnumerateArray().Select(g => g.ValueKind == JsonValueKind.String ? g.GetString()! : "").ToList();
            if (groups.Count == 0 || groups.Exists(g => g.Length is 0 or > 1024))
            {
                await HubErrors.WriteAsync(context, 400, "InvalidRequest", "groups must name 1 or more groups of 1 to 1024 characters.");
                return;
            }

            var hasFilter = root.TryGetProperty("filter", out var f);
            if (hasFilter && f.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                await HubErrors.WriteAsync(context, 400, "InvalidRequest", "filter must be a string.");
                return;
            }

            filter = ConnectionFilter.Parse(hasFilter ? f.GetString() : null);
        }
        catch (JsonException)
        {
            await HubErrors.WriteAsync(context, 400, "InvalidRequest", "The body is not valid JSON.");
            return;
        }
        catch (ConnectionFilterException e)
        {
            await HubErrors.WriteAsync(context, 400, "InvalidRequest", e.Message);
            return;
        }

        change(groups, filter);
        context.Response.StatusCode = 200;
    }

    private Task GenerateTokenAsync(HttpContext context)
    {
        var q = context.Request.Query;
        var minutes = int.TryParse(q["minutesToExpire"], NumberStyles.None, CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 60;
        var baseUrl = string.IsNullOrEmpty(options.Value.Endpoint)
            ? context.Request.Scheme + "://" + context.Request.Host.Value
            : options.Value.Endpoint.TrimEnd('/');
        var token = HubJwt.Create(
            options.Value.AccessKey,
            baseUrl + "/client/hubs/" + Value(context, "hub"),
            time.GetUtcNow(),
            TimeSpan.FromMinutes(minutes),
            q["userId"].ToString(),
            q["role"].Where(r => !string.IsNullOrEmpty(r)).Select(r => r!),
            q["group"].Where(g => !string.IsNullOrEmpty(g)).Select(g => g!));
        context.Response.StatusCode = 200;
        return context.Response.WriteAsJsonAsync(new TokenBody(token), HubJsonContext.Default.TokenBody);
    }

    private static Task ListGroupAsync(HttpContext context, HubState hub)
    {
        if (Group(context) is not { } group)
        {
            return BadGroup(context);
        }

        var top = int.TryParse(context.Request.Query["top"], NumberStyles.None, CultureInfo.InvariantCulture, out var t) && t > 0 ? t : int.MaxValue;
        var members = hub.GroupMembers(group).Take(top).Select(m => new GroupMember(m.ConnectionId, m.UserId)).ToList();
        return context.Response.WriteAsJsonAsync(new GroupMemberPage(members, null), HubJsonContext.Default.GroupMemberPage);
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A path parameter exactly as the caller named it. The server SDKs escape each segment, and ASP.NET
    /// Core decodes every escape in the path except <c>%2F</c>, so a group or user <c>team/a</c> (sent as
    /// <c>team%2Fa</c>) would be <c>team%2Fa</c> here: a value with a <c>%</c> is decoded again from the raw
    /// request target's segment.
    /// </summary>
    private static string Value(HttpContext context, string name)
    {
        var value = context.Request.RouteValues[name]?.ToString() ?? "";
        return value.Contains('%', StringComparison.Ordinal) ? RawSegment(context, name) ?? value : value;
    }

    private static string? RawSegment(HttpContext context, string name)
    {
        if (context.GetEndpoint() is not RouteEndpoint { RoutePattern.PathSegments: var template }
            || context.Features.Get<IHttpRequestFeature>()?.RawTarget is not { Length: > 0 } raw)
        {
            return null;
        }

        for (var i = 0; i < template.Count; i++)
        {
            if (template[i].Parts is [RoutePatternParameterPart p] && p.Name == name)
            {
                // The template covers the whole path, so its segments line up with the raw path's last ones.
                var end = raw.IndexOfAny(['?', '#']);
                var segments = (end >= 0 ? raw[..end] : raw).TrimEnd('/').Split('/');
                var fromEnd = template.Count - i;
                return segments.Length > fromEnd ? Uri.UnescapeDataString(segments[^fromEnd]) : null;
            }
        }

        return null;
    }

    private static string? Group(HttpContext context) => Value(context, "group") is { Length: > 0 and <= 1024 } g ? g : null;

    private static IReadOnlyCollection<string>? Excluded(HttpContext context)
    {
        var values = context.Request.Query["excluded"];
        return values.Count == 0 ? null : values.Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToHashSet(StringComparer.Ordinal);
    }

    private static string Reason(HttpContext context) =>
        context.Request.Query["reason"].ToString() is { Length: > 0 } r ? r : "Connection closed by the server.";

    private static Task Status(HttpContext context, int status, Action? action = null)
    {
        action?.Invoke();
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Task BadGroup(HttpContext context) =>
        HubErrors.WriteAsync(context, 400, "InvalidRequest", "The group name must be 1 to 1024 characters.");

    /// <summary>Grant, revoke or check a permission of one connection; <paramref name="missing"/> is the answer for an unknown connection.</summary>
    private static Task Permission(HttpContext context, HubState hub, Func<ClientSession, HubPermission, string?, Task> apply, int missing)
    {
        HubPermission? permission = Value(context, "permission") switch
        {
            "sendToGroup" => HubPermission.SendToGroup,
            "joinLeaveGroup" => HubPermission.JoinLeaveGroup,
            _ => null,
        };
        if (permission is null)
        {
            return HubErrors.WriteAsync(context, 400, "InvalidRequest", "The permission must be sendToGroup or joinLeaveGroup.");
        }

        var target = context.Request.Query["targetName"].ToString();
        if (target.Length > 1024)
        {
            return BadGroup(context);
        }

        return hub.Find(Value(context, "connectionId")) is { } session
            ? apply(session, permission.Value, target.Length == 0 ? null : target)
            : Status(context, missing);
    }
}
