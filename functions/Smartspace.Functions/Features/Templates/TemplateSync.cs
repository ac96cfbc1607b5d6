using Microsoft.Extensions.Options;
using Smartspace.Core.Templates;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;

namespace Smartspace.Functions.Features.Templates;

/// <summary>
/// Copies every contact center's templates from the Graph API (<c>GET /{waba-id}/message_templates</c>,
/// all pages) into the catalog, at start and periodically; between syncs the
/// <c>message_template_status_update</c> webhook keeps statuses current (P5). A status that changed is an
/// agent-visible event.
/// </summary>
public sealed class TemplateSync(
    ContactCenterDirectory directory,
    TemplateCatalog catalog,
    IMessageTemplateSource source,
    IAgentEventPublisher events,
    ILogger<TemplateSync> logger)
{
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var synced = 0;
        foreach (var tenant in await directory.GetTenantsAsync(ct))
        {
            foreach (var wabaId in (await directory.GetChannelsOfTenantAsync(tenant.TenantId, ct)).Select(c => c.WabaId).Where(w => w.Length > 0).Distinct())
            {
                try
                {
                    var known = (await catalog.ListAsync(tenant.TenantId, wabaId, ct)).ToDictionary(t => (t.Name, t.Language));
                    var listed = await source.ListTemplatesAsync(wabaId, ct);
                    var changes = listed.Where(t => !(known.TryGetValue((t.Name, t.Language), out var existing) && existing == t)).ToList();

                    // A template Meta no longer lists was deleted there: it must stop being offered (P5).
                    var present = listed.Select(t => (t.Name, t.Language)).ToHashSet();
                    changes.AddRange(known.Values.Where(t => !present.Contains((t.Name, t.Language)) && t.Status != TemplateStatus.Deleted)
                        .Select(t => t with { Status = TemplateStatus.Deleted }));
                    foreach (var template in changes)
                    {
                        await catalog.SaveAsync(tenant.TenantId, wabaId, template, ct);
                        synced++;
                        await events.PublishAsync(new AgentEvent(AgentEventTypes.TemplateChanged, tenant.TenantId, null, 0, null, new { template = TemplateView.From(template) }), ct);
                    }
                }
                catch (GraphApiException ex)
                {
                    logger.LogWarning("Template sync for WABA {WabaId} failed: {Message}", wabaId, ex.Message);
                }
                catch (HttpRequestException ex)
                {
                    logger.LogWarning("Template sync for WABA {WabaId} could not reach the Graph API: {Message}", wabaId, ex.Message);
                }
            }
        }

        return synced;
    }
}

/// <summary>The <c>template-sync</c> timer function.</summary>
public sealed class TemplateSyncFunction(TemplateSync sync) : ITimerFunction
{
    public string Name => "template-sync";

    public async Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken)
    {
        var synced = await sync.RunAsync(cancellationToken);
        return new TimerResult([$"template-sync updated {synced} templates"]);
    }
}

/// <summary>Local hosted sync: shortly after start, then every <c>Meta:TemplateSyncInterval</c>.</summary>
public sealed class TemplateSyncTimer(TemplateSync sync, IOptions<MetaOptions> meta, IOptions<TimersOptions> timers, TimeProvider time, ILogger<TemplateSyncTimer> logger)
    : HostedSweep(timers, time, logger)
{
    protected override string Name => "template sync";

    protected override TimeSpan Interval => meta.Value.TemplateSyncInterval;

    protected override bool RunAtStart => true;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => sync.RunAsync(cancellationToken);
}
