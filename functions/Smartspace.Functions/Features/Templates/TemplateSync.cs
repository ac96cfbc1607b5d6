using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Smartspace.Core.Templates;
using Smartspace.Functions.Health;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Graph;
using Smartspace.Meta.Options;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Templates;

/// <summary>How the sync of one WhatsApp Business Account went.</summary>
/// <param name="Outcome">
/// <c>synced</c>; <c>partial</c> (a later page failed: the pages read are applied, nothing removed); <c>failed</c> (nothing
/// read, the last good catalogue kept); <c>empty_unconfirmed</c> (Meta listed nothing while approved templates are stored:
/// kept until a second sync confirms it).
/// </param>
/// <param name="Reason">What failed, when something did.</param>
public sealed record AccountSyncResult(string TenantId, string WabaId, string Outcome, int Changed, string? Reason = null);

public sealed record TemplateSyncReport(IReadOnlyList<AccountSyncResult> Accounts)
{
    public int Changed => Accounts.Sum(a => a.Changed);
}

/// <summary>
/// Copies every contact center's templates from the Graph API (<c>GET /{waba-id}/message_templates</c>, all pages)
/// into the catalog, at start and periodically; between syncs the <c>message_template_status_update</c> webhook keeps
/// statuses current (P5). Each account is synced on its own, within <see cref="AccountTimeout"/>: a hang, an error or a
/// malformed answer for one is logged with the account, keeps its last good catalogue, and never stops the others. A
/// status that changed is an agent-visible event.
/// </summary>
public sealed partial class TemplateSync(
    ContactCenterDirectory directory,
    TemplateCatalog catalog,
    IMessageTemplateSource source,
    IAgentEventPublisher events,
    MetaAccessHealth access,
    TimeProvider time,
    ILogger<TemplateSync> logger)
{
    private const int ConcurrentAccounts = 4;

    /// <summary>The most one account's sync may take, all pages together. Default 2 minutes.</summary>
    public TimeSpan AccountTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public async Task<TemplateSyncReport> RunAsync(CancellationToken ct)
    {
        var accounts = new List<(string TenantId, string WabaId)>();
        foreach (var tenant in await directory.GetTenantsAsync(ct))
        {
            accounts.AddRange((await directory.GetChannelsOfTenantAsync(tenant.TenantId, ct)).Select(c => c.WabaId).Where(w => w.Length > 0).Distinct()
                .Select(waba => (tenant.TenantId, waba)));
        }

        var results = new AccountSyncResult[accounts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, accounts.Count), new ParallelOptions { MaxDegreeOfParallelism = ConcurrentAccounts, CancellationToken = ct },
            async (i, token) => results[i] = await SyncAccountAsync(accounts[i].TenantId, accounts[i].WabaId, token));
        return new TemplateSyncReport(results);
    }

    private async Task<AccountSyncResult> SyncAccountAsync(string tenantId, string wabaId, CancellationToken ct)
    {
        using var timeout = new CancellationTokenSource(AccountTimeout, time);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        AccountSyncResult result;
        try
        {
            var listing = await source.ListTemplatesAsync(wabaId, budget.Token);
            result = await ApplyAsync(tenantId, wabaId, listing, budget.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            result = new AccountSyncResult(tenantId, wabaId, "failed", 0, $"no complete answer within {AccountTimeout.TotalSeconds:0} s");
        }
        catch (StoreUnavailableException ex)
        {
            result = new AccountSyncResult(tenantId, wabaId, "failed", 0, "store unavailable: " + ex.Message);
        }

        if (result.Reason is not null)
        {
            LogAccountProblem(tenantId, wabaId, result.Outcome, result.Reason);
        }

        return result;
    }

    private async Task<AccountSyncResult> ApplyAsync(string tenantId, string wabaId, TemplateListing listing, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (listing.Problem is { } problem)
        {
            access.Refused(problem.Code, problem.HttpStatus, now);
        }
        else
        {
            access.Succeeded(now);
        }

        if (!listing.Complete && listing.Templates.Count == 0)
        {
            return new AccountSyncResult(tenantId, wabaId, "failed", 0, Describe(listing.Problem!) + "; the last good catalogue is kept");
        }

        var known = await catalog.ListAsync(tenantId, wabaId, ct);
        var emptySeen = await catalog.EmptyListingSeenAsync(tenantId, wabaId, ct);
        var decision = TemplateSyncRules.Decide(known, listing.Templates, listing.Complete, emptySeen);
        if (decision.EmptyAwaitingConfirmation || (emptySeen && listing.Complete))
        {
            await catalog.SetEmptyListingSeenAsync(tenantId, wabaId, decision.EmptyAwaitingConfirmation, now, ct);
        }

        foreach (var template in decision.Changes)
        {
            await catalog.SaveAsync(tenantId, wabaId, template, ct);
            await events.PublishAsync(new AgentEvent(AgentEventTypes.TemplateChanged, tenantId, null, 0, null, new { template = TemplateView.From(template) }), ct);
        }

        return decision.EmptyAwaitingConfirmation
            ? new AccountSyncResult(tenantId, wabaId, "empty_unconfirmed", 0, "Meta listed no templates; the approved ones are kept until the next sync confirms it")
            : listing.Problem is { } partial
                ? new AccountSyncResult(tenantId, wabaId, "partial", decision.Changes.Count, Describe(partial) + "; the pages before it were applied, nothing removed")
                : new AccountSyncResult(tenantId, wabaId, "synced", decision.Changes.Count);
    }

    private static string Describe(TemplateListingProblem problem) => $"page {problem.Page}: {problem.Reason}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Template sync of contact center {TenantId}, account {WabaId}: {Outcome} ({Reason})")]
    private partial void LogAccountProblem(string tenantId, string wabaId, string outcome, string reason);
}

/// <summary>
/// The <c>template-sync</c> timer function: reports each account's outcome (synced, partial, failed with the reason,
/// empty_unconfirmed) and never fails for an upstream (Graph API) problem — that is the sync's result, not an error of
/// whoever triggered it.
/// </summary>
public sealed class TemplateSyncFunction(TemplateSync sync) : ITimerFunction
{
    public string Name => "template-sync";

    public async Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken)
    {
        var report = await sync.RunAsync(cancellationToken);
        var logs = new List<string> { $"template-sync updated {report.Changed} templates in {report.Accounts.Count} accounts" };
        logs.AddRange(report.Accounts.Select(a => $"template-sync {a.TenantId}/{a.WabaId}: {a.Outcome}, {a.Changed} changed" + (a.Reason is null ? "" : $" ({a.Reason})")));
        var accounts = new JsonArray([.. report.Accounts.Select(a => (JsonNode)new JsonObject
        {
            ["tenantId"] = a.TenantId,
            ["wabaId"] = a.WabaId,
            ["outcome"] = a.Outcome,
            ["changed"] = a.Changed,
            ["reason"] = a.Reason,
        })]);
        return new TimerResult(logs, new JsonObject { ["changed"] = report.Changed, ["accounts"] = accounts });
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
