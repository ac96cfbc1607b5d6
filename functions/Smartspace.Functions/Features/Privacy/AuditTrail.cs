using System.Text.Json;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>The stable English names of what the audit trail records.</summary>
public static class AuditActions
{
    public const string Export = "customer.export";
    public const string Erasure = "customer.erasure";
    public const string Retention = "retention.run";
    public const string PrivacySettings = "privacy.settings";
    public const string AdminChange = "admin.change";
}

/// <summary>One audit record: who did what, when, for which customer (masked) and with what outcome.</summary>
public sealed record AuditRecord(string Id, DateTimeOffset At, string Actor, string Action, string Outcome, string? Customer, JsonElement? Details);

public sealed record AuditPage(IReadOnlyList<AuditRecord> Items, string? ContinuationToken);

/// <summary>
/// The contact center's audit trail (LGPD): append-only rows of its own partition, newest first. A customer is named
/// only by the masked key (<see cref="CustomerRecords.MaskedKey"/>): the trail must outlive an erasure without
/// keeping what the erasure removed. Rows are inserted, never replaced; nothing in the product deletes them.
/// </summary>
public sealed class AuditTrail(LedgerStore ledger, TimeProvider time)
{
    public const int MaxPageSize = 200;

    /// <summary>The insert of one record, to commit on its own or inside the batch of the change it records.</summary>
    public Entity Entry(string tenantId, string actor, string action, string outcome, string? customer = null, object? details = null)
    {
        var at = time.GetUtcNow();
        return new Entity(tenantId, Keys.Audit(at, Guid.NewGuid().ToString("N")), new Dictionary<string, object?>
        {
            ["At"] = at,
            ["Actor"] = actor,
            ["Action"] = action,
            ["Outcome"] = outcome,
            ["Customer"] = customer,
            ["Details"] = details is null ? null : JsonSerializer.Serialize(details, JsonSerializerOptions.Web),
        });
    }

    public async Task RecordAsync(string tenantId, string actor, string action, string outcome, string? customer, object? details, CancellationToken ct)
    {
        var result = await ledger.SubmitAsync([EntityOperation.Insert(Entry(tenantId, actor, action, outcome, customer, details))], ct);
        if (!result.Succeeded)
        {
            throw new StoreUnavailableException($"Recording the audit failed: {result.Failure}.");
        }
    }

    /// <summary>The actor of a request: the agent id (unique within its contact center).</summary>
    public static string ActorOf(Caller caller) => "agent:" + caller.AgentId;

    /// <summary>Newest first; the continuation token is the last row key returned (stable while records are added).</summary>
    public async Task<AuditPage> ReadAsync(string tenantId, int pageSize, string? continuationToken, CancellationToken ct)
    {
        var items = new List<AuditRecord>();
        string? lastKey = null;
        string? storeToken = null;
        do
        {
            var page = await ledger.Store.QueryAsync(Keys.LedgerTable, new EntityQuery(tenantId)
            {
                RowKeyFrom = continuationToken is null ? Keys.AuditPrefix : continuationToken + '\u0000',
                RowKeyTo = Keys.AuditPrefix + '\uffff',
                PageSize = pageSize - items.Count,
                ContinuationToken = storeToken,
            }, ct);
            foreach (var e in page.Items)
            {
                lastKey = e.RowKey;
                items.Add(new AuditRecord(
                    e.RowKey[Keys.AuditPrefix.Length..],
                    e.GetDateTimeOffset("At") ?? default,
                    e.GetString("Actor") ?? "",
                    e.GetString("Action") ?? "",
                    e.GetString("Outcome") ?? "",
                    e.GetString("Customer"),
                    e.GetString("Details") is { } details ? JsonDocument.Parse(details).RootElement.Clone() : null));
            }

            storeToken = page.ContinuationToken;
        }
        while (storeToken is not null && items.Count < pageSize);

        return new AuditPage(items, items.Count == pageSize ? lastKey : null);
    }
}

/// <summary>
/// Records every successful change made through the admin API (<c>PUT/POST/DELETE /api/agent/admin/…</c>): who, which
/// route and which ids. Bodies are not recorded (the route names what changed; the state holds the new value).
/// </summary>
public sealed class AdminChangeAudit(AuditTrail audit) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var http = context.HttpContext;
        if (HttpMethods.IsGet(http.Request.Method) || result is not IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } || Caller.From(http.User) is not { } caller)
        {
            return result;
        }

        var route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? http.Request.Path.Value ?? "";
        var ids = http.Request.RouteValues.ToDictionary(v => v.Key, v => v.Value?.ToString(), StringComparer.Ordinal);
        await audit.RecordAsync(caller.TenantId, AuditTrail.ActorOf(caller), AuditActions.AdminChange, "done", null,
            new { method = http.Request.Method, route, ids }, http.RequestAborted);
        return result;
    }
}
