using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Storage;

namespace Smartspace.Functions.Health;

/// <summary><c>GET /api/health</c>: 200 when the store answers, 503 otherwise (with what failed).</summary>
public static class HealthEndpoint
{
    public static void MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/api/health", ["GET", "HEAD"], async (IEntityStore store, WebhookInbox inbox, TimeProvider time, CancellationToken ct) =>
        {
            bool reachable;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                reachable = await store.IsReachableAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is StoreUnavailableException or OperationCanceledException)
            {
                reachable = false;
            }

            var pending = inbox.Status;
            var body = new
            {
                status = reachable ? "healthy" : "unhealthy",
                store = reachable ? "reachable" : "unreachable",
                webhookInbox = pending.Enabled ? new { pending = pending.Pending, deadLettered = pending.DeadLettered } : null,
                at = time.GetUtcNow(),
            };
            return reachable ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("health");
    }
}
