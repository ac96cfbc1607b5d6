using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Features;
using Smartspace.Functions.Features.Auth;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// Per-agent rate limit of the agent API: a fixed window of <see cref="AgentApiOptions.RateLimitPermits"/>
/// requests per <see cref="AgentApiOptions.RateLimitWindow"/>, keyed by contact center + agent id, so one
/// agent's runaway client cannot starve the others. Beyond it: 429 problem+json with Retry-After.
/// </summary>
public static class AgentApiRateLimits
{
    public const string Policy = "per-agent";

    public static IServiceCollection AddAgentApiRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AgentApiOptions>>((o, api) =>
        {
            var limits = api.Value;
            o.AddPolicy(Policy, http =>
            {
                var caller = Caller.From(http.User);
                var key = caller is null ? "anonymous" : caller.TenantId + "|" + caller.AgentId;
                return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limits.RateLimitPermits,
                    Window = limits.RateLimitWindow,
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, _) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limits.RateLimitWindow;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await ApiProblems.RateLimited().ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }
}
