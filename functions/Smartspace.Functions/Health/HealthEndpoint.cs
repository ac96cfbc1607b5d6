using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Storage;

namespace Smartspace.Functions.Health;

/// <summary>
/// <c>GET /api/health</c>: 200 when the store answers, 503 otherwise (with what failed). An expired or invalid Meta access
/// token is a configuration problem: <c>status</c> <c>degraded</c> and <c>meta.access</c> <c>invalid</c> (still 200: restarting
/// the instance cannot fix it).
/// </summary>
public static class HealthEndpoint
{
    public static void MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/api/health", ["GET", "HEAD"], async (IEntityStore store, MetaAccessHealth metaAccess, TimeProvider time, CancellationToken ct) =>
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

            var meta = metaAccess.Current;
            var body = new
            {
                status = !reachable ? "unhealthy" : meta.IsProblem ? "degraded" : "healthy",
                store = reachable ? "reachable" : "unreachable",
                meta = new
                {
                    access = meta.Access,
                    code = meta.Code,
                    httpStatus = meta.HttpStatus,
                    since = meta.Since,
                    problem = meta.IsProblem ? "The Graph API refused the access token (expired or invalid) or its permissions: renew Meta:AccessToken." : null,
                },
                at = time.GetUtcNow(),
            };
            return reachable ? Results.Ok(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("health");
    }
}
