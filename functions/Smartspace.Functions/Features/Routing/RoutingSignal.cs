using System.Collections.Concurrent;

namespace Smartspace.Functions.Features.Routing;

/// <summary>
/// Runs queue routing for a contact center in the background, coalesced: a request while a pass runs makes one more pass
/// after it. Used where waiting for routing would block the caller — the customer's entity, which places a message that
/// queued a customer, must not wait on an assignment that needs to lock that same entity. Every path that frees capacity
/// or makes an agent available routes too, and the window-expiry timer routes every contact center, so a request lost
/// with its process is made up.
/// </summary>
public sealed class RoutingSignal(IServiceProvider services, ILogger<RoutingSignal> logger)
{
    // 0 idle, 1 running, 2 running with another pass requested.
    private readonly ConcurrentDictionary<string, int> states = new(StringComparer.Ordinal);

    /// <summary>No routing pass runs or waits in this process (for health and for tests that wait until the product is quiet).</summary>
    public bool IsIdle => states.Values.All(state => state == 0);

    public void Request(string tenantId)
    {
        while (true)
        {
            var state = states.GetOrAdd(tenantId, 0);
            if (state == 0 && states.TryUpdate(tenantId, 1, 0))
            {
                _ = Task.Run(() => RunAsync(tenantId));
                return;
            }

            if (state >= 1 && states.TryUpdate(tenantId, 2, state == 1 ? 1 : 2))
            {
                return;
            }
        }
    }

    private async Task RunAsync(string tenantId)
    {
        while (true)
        {
            try
            {
                await services.GetRequiredService<QueueRouter>().AssignWaitingAsync(tenantId, CancellationToken.None);
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Queue routing of contact center {TenantId} failed; the next change routes again", tenantId);
            }

            if (states.TryUpdate(tenantId, 1, 2))
            {
                continue; // requested again while this pass ran
            }

            if (states.TryUpdate(tenantId, 0, 1))
            {
                return;
            }
        }
    }
}
