using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Features.MetaWebhook;
using Smartspace.Functions.Hosting;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>What one retention run did in one contact center.</summary>
public sealed record RetentionReport(int MessagesDeleted, int MediaRemoved, int ErasureRowsDeleted, int MessageRetentionDays, int MediaRetentionDays, bool Complete);

/// <summary>
/// The retention timer (LGPD: keep no longer than needed). For each contact center, with its own settings: finishes
/// erasures a crash interrupted, deletes messages older than the message retention (with their media, wamid rows and
/// outbox entries), then removes the media of messages older than the media retention (the message stays).
/// <para>
/// Bounded: at most <see cref="PrivacyOptions.RetentionMaxRowsPerRun"/> messages per run, every write a batch of at
/// most 100 rows of one partition; what is left waits for the next run. It reads only conversations that can hold
/// something due: created before the cutoff, and with a message since the cutoff of the last complete pass (kept in
/// the <see cref="Keys.RetentionWatermarks"/> row; a day's margin covers Meta's out-of-order timestamps). One instance
/// at a time (lease); every run is recorded in each contact center's audit trail.
/// </para>
/// </summary>
public sealed partial class RetentionSweeper(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    Leases leases,
    MessagePurge purge,
    RetentionSettingsStore settings,
    AuditTrail audit,
    IOptions<PrivacyOptions> options,
    TimeProvider time,
    ILogger<RetentionSweeper> logger)
{
    public const string LeaseName = "retention";
    public const string Actor = "timer:retention";
    private static readonly TimeSpan Margin = TimeSpan.FromDays(1);
    private readonly string owner = Guid.NewGuid().ToString("N");

    /// <summary>Runs once over every contact center; null when another instance holds the lease.</summary>
    public async Task<IReadOnlyDictionary<string, RetentionReport>?> RunAsync(CancellationToken ct)
    {
        var lease = await leases.TryAcquireAsync(LeaseName, owner, TimeSpan.FromMinutes(30), ct);
        if (lease is null)
        {
            return null;
        }

        try
        {
            var budget = new Budget(options.Value.RetentionMaxRowsPerRun);
            var reports = new Dictionary<string, RetentionReport>(StringComparer.Ordinal);
            foreach (var tenant in await directory.GetTenantsAsync(ct))
            {
                var report = await SweepTenantAsync(tenant.TenantId, budget, ct);
                reports[tenant.TenantId] = report;
                await audit.RecordAsync(tenant.TenantId, Actor, AuditActions.Retention, report.Complete ? "done" : "partial", null, report, ct);
                LogSwept(tenant.TenantId, report.MessagesDeleted, report.MediaRemoved, report.Complete);
            }

            return reports;
        }
        finally
        {
            await leases.ReleaseAsync(lease, CancellationToken.None);
        }
    }

    private async Task<RetentionReport> SweepTenantAsync(string tenantId, Budget budget, CancellationToken ct)
    {
        var erasureRows = await purge.FinishPendingErasuresAsync(tenantId, ct);
        var retention = await settings.GetAsync(tenantId, ct);
        var now = time.GetUtcNow();
        var messageCutoff = now - retention.MessageRetention;
        var mediaCutoff = now - retention.MediaRetention;
        var marks = await ledger.GetAsync(tenantId, Keys.RetentionWatermarks, ct);

        var (deleted, messagesDone) = await PassAsync(tenantId, messageCutoff, marks?.GetDateTimeOffset("Messages"), budget, _ => true,
            async (conversationId, due) =>
            {
                await purge.DeleteMessagesAsync(tenantId, conversationId, due, ct);
                return due.Count;
            }, ct);
        var (removed, mediaDone) = await PassAsync(tenantId, mediaCutoff, marks?.GetDateTimeOffset("Media"), budget, m => m.GetString("Media") is not null,
            (_, due) => purge.RemoveMediaAsync(due, ct), ct);

        if (messagesDone || mediaDone)
        {
            await ledger.SubmitAsync([EntityOperation.Upsert(new Entity(tenantId, Keys.RetentionWatermarks, new Dictionary<string, object?>
            {
                ["Messages"] = messagesDone ? messageCutoff : marks?.GetDateTimeOffset("Messages"),
                ["Media"] = mediaDone ? mediaCutoff : marks?.GetDateTimeOffset("Media"),
            }))], ct);
        }

        return new RetentionReport(deleted, removed, erasureRows, (int)retention.MessageRetention.TotalDays, (int)retention.MediaRetention.TotalDays, messagesDone && mediaDone);
    }

    /// <summary>
    /// Applies <paramref name="apply"/> to the selected messages older than <paramref name="cutoff"/> of every conversation
    /// that may hold some. Complete when nothing due was left (budget, or a write that conflicted).
    /// </summary>
    private async Task<(int Rows, bool Complete)> PassAsync(string tenantId, DateTimeOffset cutoff, DateTimeOffset? sweptUntil, Budget budget,
        Func<Entity, bool> select, Func<string, List<Entity>, Task<int>> apply, CancellationToken ct)
    {
        var filters = new List<PropertyFilter> { new("CreatedAt", FilterOperator.LessThan, cutoff) };
        if (sweptUntil is { } since)
        {
            filters.Add(new PropertyFilter("LastMessageAt", FilterOperator.GreaterThanOrEqual, since - Margin));
        }

        var rows = 0;
        var complete = true;
        string? token = null;
        do
        {
            var page = await ledger.Store.QueryAsync(Keys.LedgerTable, EntityQuery.Prefix(tenantId, Keys.ConversationPrefix) with { Filters = filters, ContinuationToken = token }, ct);
            foreach (var conversation in page.Items)
            {
                var conversationId = ConversationRow.From(conversation).ConversationId;
                var due = (await ledger.QueryAllAsync(tenantId, Keys.MessagePrefix(conversationId), ct, [new PropertyFilter("At", FilterOperator.LessThan, cutoff)]))
                    .Where(select).ToList();
                if (due.Count == 0)
                {
                    continue;
                }

                var taken = due.Take(budget.Left).ToList();
                var done = taken.Count == 0 ? 0 : await apply(conversationId, taken);
                budget.Spend(taken.Count);
                rows += done;
                if (done < due.Count)
                {
                    complete = false;
                }

                if (budget.Left == 0)
                {
                    return (rows, false);
                }
            }

            token = page.ContinuationToken;
        }
        while (token is not null);

        return (rows, complete);
    }

    private sealed class Budget(int rows)
    {
        public int Left { get; private set; } = rows;

        public void Spend(int count) => Left = Math.Max(0, Left - count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention in {TenantId}: {Messages} messages deleted, {Media} media removed (complete: {Complete})")]
    private partial void LogSwept(string tenantId, int messages, int media, bool complete);
}

/// <summary>The <c>retention</c> timer function (Azure: daily at 03:00 UTC).</summary>
public sealed class RetentionFunction(RetentionSweeper sweeper) : ITimerFunction
{
    public string Name => "retention";

    public async Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken)
    {
        var reports = await sweeper.RunAsync(cancellationToken);
        if (reports is null)
        {
            return new TimerResult(["retention skipped: another instance holds the lease"], JsonValue.Create(-1));
        }

        var deleted = reports.Values.Sum(r => r.MessagesDeleted);
        var media = reports.Values.Sum(r => r.MediaRemoved);
        return new TimerResult(
            [$"retention deleted {deleted} messages and removed {media} media in {reports.Count} contact centers (complete: {reports.Values.All(r => r.Complete)}, past due: {run.IsPastDue})"],
            JsonValue.Create(deleted + media));
    }
}

/// <summary>The local hosted timer: the same sweep every <c>Privacy:RetentionInterval</c>.</summary>
public sealed class RetentionTimer(RetentionSweeper sweeper, IOptions<PrivacyOptions> privacy, IOptions<TimersOptions> timers, TimeProvider time, ILogger<RetentionTimer> logger)
    : HostedSweep(timers, time, logger)
{
    protected override string Name => "retention sweep";

    protected override TimeSpan Interval => privacy.Value.RetentionInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => sweeper.RunAsync(cancellationToken);
}
