using Microsoft.Extensions.Options;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Routing;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Realtime.Events;
using Smartspace.Realtime.Publishing;

namespace Smartspace.Functions.Features.Negotiate;

/// <summary>
/// <c>/api/negotiate</c> (the <c>negotiate</c> function): for the authenticated agent, the Web PubSub
/// client access URL — hub endpoint and a token whose user id is the agent id, joined to the contact
/// center's group and, for supervisors, to its supervisors group. The same in Azure and locally: events
/// sent to the agent arrive as server messages, those sent to these groups as group messages naming the
/// group, so a client handles both <c>server-message</c> and <c>group-message</c>.
/// <c>/api/webpubsub/events</c> (the <c>webpubsub-events</c> function): Web PubSub's event handler —
/// the OPTIONS abuse-protection handshake, then signed <c>connected</c>/<c>disconnected</c> system
/// events that make the agent available or unavailable for queue routing.
/// </summary>
public static partial class NegotiateEndpoints
{
    public static void MapRealtimeEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/api/negotiate", ["GET", "POST"], (HttpContext http, IClientAccessUrlFactory factory) =>
            AgentApi.WithCaller(http, caller =>
            {
                var groups = new List<string> { RealtimeGroups.Everyone(caller.TenantId) };
                if (caller.IsSupervisor)
                {
                    groups.Add(RealtimeGroups.Supervisors(caller.TenantId));
                }

                var access = factory.Create(caller.AgentId, groups);
                return Task.FromResult(Results.Ok(new { url = access.Url, baseUrl = access.BaseUrl, accessToken = access.Token, userId = caller.AgentId, groups }));
            })).RequireAuthorization().WithTags("realtime");

        endpoints.MapMethods("/api/webpubsub/events", ["OPTIONS"], (HttpContext http, WebPubSubEventValidator validator) =>
            validator.TryHandleAbuseProtection(http) ? Results.Empty : Results.BadRequest()).AllowAnonymous().WithTags("realtime");

        endpoints.MapPost("/api/webpubsub/events", async (HttpContext http, WebPubSubEventValidator validator, ContactCenterDirectory directory, AgentAvailability availability, ILoggerFactory logs, CancellationToken ct) =>
        {
            if (!WebPubSubEventRequest.TryParse(http.Request, out var request))
            {
                return Results.BadRequest();
            }

            if (!validator.IsValid(request))
            {
                return Results.Unauthorized();
            }

            if ((request.IsConnected || request.IsDisconnected) && request.UserId is { Length: > 0 } agentId)
            {
                var tenantId = await directory.GetTenantOfAgentAsync(agentId, ct);
                if (tenantId is not null)
                {
                    await availability.ConnectionChangedAsync(tenantId, agentId, request.ConnectionId, request.IsConnected, ct);
                }
                else
                {
                    LogUnknownAgent(logs.CreateLogger("Smartspace.Functions.Negotiate"), agentId);
                }
            }

            return Results.NoContent();
        }).AllowAnonymous().WithTags("realtime");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web PubSub event for unknown agent {AgentId}: ignored")]
    private static partial void LogUnknownAgent(ILogger logger, string agentId);
}
