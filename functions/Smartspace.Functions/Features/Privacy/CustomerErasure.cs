using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using Smartspace.Core.Conversations;
using Smartspace.Core.Phones;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>What an erasure removed; the customer is named masked.</summary>
public sealed record ErasureResult(string Customer, int Profiles, int Conversations, int Messages, int Media, int HistoryEntries, int Windows);

/// <summary>
/// LGPD erasure (art. 18, VI) of one customer of the caller's contact center.
/// <para>
/// Removed: the profile on every channel and under every key (number, BSUID — names, numbers, the window), every
/// message with its media (a message stored but not placed yet too), wamid look-up rows and outbox entries, the history index entries (search), the
/// window-expiry entries, and the webhook inbox's dead letters that name them (raw bodies it could not apply).
/// Anonymized in place: each conversation row keeps what the contact center's reports need —
/// channel, agent, origin, stage, times, qualification and the message count — and loses the customer's key, name,
/// number and the agent's description (free text about the customer).
/// </para>
/// <para>
/// Refused (409 <c>erasure_while_in_service</c>) while the customer has a conversation in progress: closing it here
/// would pull it from under the agent serving it; the supervisor finishes it, then erases.
/// </para>
/// <para>
/// Races: every row is changed under the ETag it was read with, so an inbound message, a start or a finish that
/// lands meanwhile fails the batch and the erasure reads again (and then refuses, if a conversation began). The
/// profiles are deleted in the LAST batch, together with the audit record: until it commits, the customer is still
/// the same customer to everyone (conversations already anonymized are finished ones, gone from search); once it
/// commits, a new message from the same number opens a new customer. The messages of the anonymized conversations
/// are deleted after that commit (closed conversations receive none); each such conversation carries
/// <see cref="MessagePurge.ErasurePending"/> until its messages are gone, so the retention timer finishes a purge a
/// crash interrupted.
/// </para>
/// </summary>
public sealed partial class CustomerErasureHandler(
    CustomerRecordsReader reader,
    LedgerStore ledger,
    MessagePurge purge,
    IConversationEntities entities,
    AuditTrail audit,
    TimeProvider time,
    ILogger<CustomerErasureHandler> logger)
{
    private const int MaxAttempts = 10;

    public async Task<IResult> HandleAsync(Caller caller, CustomerRequest request, CancellationToken ct)
    {
        if (request.ToKey(out var error) is not { } key)
        {
            return ApiProblems.BadRequest(error!);
        }

        var actor = AuditTrail.ActorOf(caller);
        for (var attempt = 1; ; attempt++)
        {
            var records = await reader.FindAsync(caller.TenantId, key, ct);
            if (records.InService is not null)
            {
                await audit.RecordAsync(caller.TenantId, actor, AuditActions.Erasure, "refused_in_service", records.MaskedKey, null, ct);
                return ApiProblems.Refusal(RefusalCode.ErasureWhileInService);
            }

            if (records.IsEmpty)
            {
                await audit.RecordAsync(caller.TenantId, actor, AuditActions.Erasure, "not_found", records.MaskedKey, null, ct);
                return ApiProblems.Refusal(RefusalCode.CustomerNotFound);
            }

            var plan = await PlanAsync(records, ct);
            if (await CommitAsync(records, plan, actor, ct))
            {
                await ForgetEntitiesAsync(records, ct);
                await purge.FinishPendingErasuresAsync(caller.TenantId, ct); // these conversations, and any an earlier attempt anonymized

                LogErased(records.MaskedKey, plan.Result.Conversations, plan.Result.Messages);
                return Results.Ok(plan.Result);
            }

            if (attempt >= MaxAttempts)
            {
                throw new StoreUnavailableException($"Erasure kept conflicting after {MaxAttempts} attempts.");
            }
        }
    }

    private sealed record Plan(List<EntityOperation> Rows, List<EntityOperation> Profiles, ErasureResult Result);

    private async Task<Plan> PlanAsync(CustomerRecords records, CancellationToken ct)
    {
        var tenantId = records.TenantId;
        var now = time.GetUtcNow();
        var rows = new List<EntityOperation>();
        int messages = 0, media = 0;
        foreach (var conversation in records.Conversations)
        {
            var id = ConversationRow.From(conversation).ConversationId;
            var stored = await ledger.QueryAllAsync(tenantId, Keys.MessagePrefix(id), ct);
            messages += stored.Count;
            media += stored.Count(m => m.GetString("Media") is not null);
            rows.Add(EntityOperation.Replace(Anonymized(conversation, now)));
        }

        // A message stored but not placed yet goes with its wamid row: its placement then finds it gone and begins nothing
        // (PlacementOutcome.Gone). Each is deleted under the ETag it was read with, so a placement meanwhile fails the
        // batch and the erasure reads again (then finds the message in its conversation).
        foreach (var staged in records.Staged)
        {
            rows.Add(EntityOperation.Delete(staged));
            messages++;
            media += staged.GetString("Media") is not null ? 1 : 0;
            if (staged.GetString("Wamid") is { } wamid && await ledger.GetAsync(tenantId, Keys.Wamid(wamid), ct) is { } lookUp)
            {
                rows.Add(EntityOperation.Delete(lookUp));
            }
        }

        var history = new List<Entity>();
        foreach (var key in records.CustomerKeys)
        {
            history.AddRange(await ledger.QueryAllAsync(tenantId, Keys.HistoryPrefix, ct, [new PropertyFilter("CustomerKey", FilterOperator.Equal, key)]));
        }

        var windows = (await ledger.QueryAllAsync(tenantId, Keys.WindowExpiryPrefix, ct))
            .Where(w => w.RowKey.Split('|', 4) is [_, _, _, var escaped] && records.CustomerKeys.Contains(Keys.Unescape(escaped)))
            .ToList();
        rows.AddRange(history.Concat(windows).Select(e => EntityOperation.Delete(e)));
        var profiles = records.Profiles.Select(p => EntityOperation.Delete(p.ToEntity())).ToList();
        var result = new ErasureResult(records.MaskedKey, records.Profiles.Count, records.Conversations.Count, messages, media, history.Count, windows.Count);
        return new Plan(rows, profiles, result);
    }

    /// <summary>Conversations, history and window entries first, in batches; then the profiles with the audit record, in one batch.</summary>
    private async Task<bool> CommitAsync(CustomerRecords records, Plan plan, string actor, CancellationToken ct)
    {
        var final = new List<EntityOperation>(plan.Profiles)
        {
            EntityOperation.Insert(audit.Entry(records.TenantId, actor, AuditActions.Erasure, "done", records.MaskedKey, plan.Result)),
        };
        var batches = plan.Rows.Chunk(StoreLimits.MaxBatchOperations).Select(c => c.ToList()).ToList();
        if (batches.Count > 0 && batches[^1].Count + final.Count <= StoreLimits.MaxBatchOperations)
        {
            batches[^1].AddRange(final);
        }
        else
        {
            batches.Add(final);
        }

        foreach (var batch in batches)
        {
            if (!(await ledger.SubmitAsync(batch, ct)).Succeeded)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The report form of a finished conversation: counts, qualification, times — nothing that names the customer.</summary>
    private static Entity Anonymized(Entity conversation, DateTimeOffset now)
    {
        var copy = conversation.Clone();
        copy["CustomerKey"] = null;
        copy["CustomerName"] = PtBr.ErasedCustomerName;
        copy["CustomerNumber"] = null;
        copy["Description"] = null;
        copy["QueueKey"] = null;
        copy["ErasedAt"] = now;
        copy[MessagePurge.ErasurePending] = true;
        return copy;
    }

    /// <summary>
    /// Each customer's entity forgets them too (window, last conversation, name, recent wamids): a new message from the same
    /// number then begins a new customer. Refused by the entity only if an agent began a conversation with them since the
    /// check above — the rows are erased already; that conversation is the new customer's.
    /// </summary>
    private async Task ForgetEntitiesAsync(CustomerRecords records, CancellationToken ct)
    {
        var customers = records.Profiles.Select(p => (p.ChannelId, p.CustomerKey))
            .Concat(records.Staged.Select(m => (ChannelId: m.GetString("ChannelId") ?? "", CustomerKey: m.GetString("CustomerKey") ?? "")))
            .Where(c => c.ChannelId.Length > 0 && c.CustomerKey.Length > 0)
            .Distinct();
        foreach (var (channelId, customerKey) in customers)
        {
            await entities.ForgetCustomerAsync(new ForgetCustomerInput(records.TenantId, channelId, customerKey), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Erased customer {Customer}: {Conversations} conversations, {Messages} messages")]
    private partial void LogErased(string customer, int conversations, int messages);
}
