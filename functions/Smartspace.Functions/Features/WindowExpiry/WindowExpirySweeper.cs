using Smartspace.Durable.Client;
using Smartspace.Functions.Features.Routing;
using Microsoft.Extensions.Options;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.WindowExpiry;

/// <summary>
/// Announces 24-hour windows that closed since the last run (P4, R7). It reads only the window-expiry index
/// entries that are due (row keys ordered by closing time), never the whole store. For each: if the
/// customer wrote again the entry is stale and removed; otherwise the conversation in progress becomes
/// template-only and the agent gets <c>window.expired</c>. Removing the entry is ETag-guarded and in the same
/// batch as the conversation change, so each expiry is announced once even if two sweeps overlap; the
/// lease keeps it to one instance at a time anyway. Correctness never depends on this: the window is always
/// computed from the last inbound time when an agent acts.
/// </summary>
public sealed class WindowExpirySweeper(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    IConversationEntities entities,
    RoutingSignal routing,
    Leases leases,
    IAgentEventPublisher events,
    TimeProvider time,
    ILogger<WindowExpirySweeper> logger)
{
    public const string LeaseName = "window-expiry";
    private readonly string owner = Guid.NewGuid().ToString("N");

    /// <summary>Runs one sweep. Returns the number of conversations announced, or -1 when another instance holds the lease.</summary>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var lease = await leases.TryAcquireAsync(LeaseName, owner, TimeSpan.FromMinutes(2), ct);
        if (lease is null)
        {
            return -1;
        }

        try
        {
            var announced = 0;
            foreach (var tenant in await directory.GetTenantsAsync(ct))
            {
                announced += await SweepTenantAsync(tenant.TenantId, ct);
                // Queue routing runs on every change that can assign; this periodic pass makes up for a request lost with its process.
                routing.Request(tenant.TenantId);
            }

            return announced;
        }
        finally
        {
            await leases.ReleaseAsync(lease, CancellationToken.None);
        }
    }

    private async Task<int> SweepTenantAsync(string tenantId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var announced = 0;
        string? token = null;
        do
        {
            var page = await ledger.Store.QueryAsync(Keys.LedgerTable, new EntityQuery(tenantId)
            {
                RowKeyFrom = Keys.WindowExpiryPrefix,
                RowKeyTo = Keys.WindowExpiryUpTo(now),
                ContinuationToken = token,
            }, ct);
            foreach (var entry in page.Items)
            {
                if (await HandleAsync(tenantId, entry, now, ct))
                {
                    announced++;
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return announced;
    }

    private async Task<bool> HandleAsync(string tenantId, Entity entry, DateTimeOffset now, CancellationToken ct)
    {
        var parts = entry.RowKey.Split('|', 4);
        var customerKey = Keys.Unescape(parts[3]);
        var profile = await ledger.GetCustomerAsync(tenantId, parts[2], customerKey, ct);
        var customer = profile is null ? null : await entities.GetCustomerAsync(tenantId, parts[2], customerKey, ct);
        var conversation = customer is { InProgress: true, ConversationId: { } id } ? await ledger.GetConversationAsync(tenantId, id, ct) : null;
        var lastInbound = Dates.Latest(customer?.LastInboundAt, conversation?.LastInboundAt);
        if (customer is not null && ServiceWindow.IsOpen(lastInbound, now))
        {
            // The customer wrote again since this entry was made: the entry moves to the window's new end.
            var moved = new Entity(tenantId, Keys.WindowExpiry(lastInbound!.Value + ServiceWindow.Length, parts[2], customerKey));
            await ledger.SubmitAsync([EntityOperation.Delete(entry), EntityOperation.Upsert(moved)], ct);
            return false;
        }

        var expired = customer is not null;
        if (!expired || conversation is null || conversation.Stage != ConversationStage.Open || conversation.TemplateOnly)
        {
            await ledger.SubmitAsync([EntityOperation.Delete(entry)], ct); // stale, or nothing to announce
            return false;
        }

        conversation.TemplateOnly = true;
        conversation.Version++;
        var result = await ledger.SubmitAsync([EntityOperation.Delete(entry), EntityOperation.Replace(conversation.ToEntity())], ct);
        if (!result.Succeeded)
        {
            return false; // someone else handled it, or the conversation changed: the next run re-evaluates
        }

        logger.LogInformation("Window closed for conversation {ConversationId}", conversation.ConversationId);
        await events.PublishAsync(new AgentEvent(AgentEventTypes.WindowExpired, tenantId, conversation.ConversationId, conversation.Version, conversation.AgentId,
            new { conversation = ConversationView.From(conversation), closedAt = ServiceWindow.ClosesAt(lastInbound) }), ct);
        return true;
    }
}

/// <summary>The <c>window-expiry</c> timer function (Azure: a timer trigger of the Function App).</summary>
public sealed class WindowExpiryFunction(WindowExpirySweeper sweeper) : ITimerFunction
{
    public string Name => "window-expiry";

    public async Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken)
    {
        var announced = await sweeper.RunAsync(cancellationToken);
        return new TimerResult(
            [announced < 0 ? "window-expiry skipped: another instance holds the lease" : $"window-expiry announced {announced} closed windows (past due: {run.IsPastDue})"],
            System.Text.Json.Nodes.JsonValue.Create(announced));
    }
}

/// <summary>The local hosted timer: the same sweep on <c>Timers:WindowExpiryInterval</c>.</summary>
public sealed class WindowExpiryTimer(WindowExpirySweeper sweeper, IOptions<TimersOptions> options, TimeProvider time, ILogger<WindowExpiryTimer> logger)
    : HostedSweep(options, time, logger)
{
    protected override string Name => "window expiry sweep";

    protected override TimeSpan Interval => Timers.WindowExpiryInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => sweeper.RunAsync(cancellationToken);
}
