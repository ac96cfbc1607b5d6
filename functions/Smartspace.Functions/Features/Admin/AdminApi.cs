using Smartspace.Durable.Client;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.Privacy;
using Smartspace.Functions.Features.Seed;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Admin;

public sealed record AgentSetup(string? Name, string? Role, int? MaxConcurrent);

public sealed record QualificationSetup(string? Name);

public sealed record ChannelSetup(string? DisplayNumber, string? WabaId, string? Name);

public sealed record ContactCenterSettings(string? Name, bool? BotEnabled);

/// <summary>
/// The admin part of the agent API (<c>/api/agent/admin/…</c>): supervisors manage their own contact
/// center's agents, contact reasons, channels and settings. Templates are registered at Meta and arrive
/// by sync; a supervisor can trigger one.
/// </summary>
public static class AdminApi
{
    public const int MaxConcurrentLimit = 100;

    public static void MapAdminApi(this RouteGroupBuilder agentApi)
    {
        var admin = agentApi.MapGroup("/admin").WithTags("admin").AddEndpointFilter<AdminChangeAudit>();

        admin.MapGet("/agents", (HttpContext http, LedgerStore ledger, IConversationEntities entities, CancellationToken ct) => AsSupervisor(http, async caller =>
        {
            var agents = await ledger.GetAgentsAsync(caller.TenantId, ct);
            var capacities = await Task.WhenAll(agents.Select(a => entities.GetAgentAsync(caller.TenantId, a.AgentId, ct)));
            return Results.Ok(new { agents = agents.Zip(capacities, (a, c) => new { a.AgentId, a.Name, role = a.Role.ToString().ToLowerInvariant(), c.MaxConcurrent, open = c.Held.Count, c.Available }) });
        }));

        admin.MapPut("/agents/{agentId}", (HttpContext http, string agentId, AgentSetup body, SeedLoader setup, CancellationToken ct) => AsSupervisor(http, async caller =>
        {
            if (!IsId(agentId))
            {
                return ApiProblems.BadRequest("agentId must be 1–64 letters, digits, '-' or '_'.");
            }

            if (string.IsNullOrWhiteSpace(body.Name) || body.MaxConcurrent is not (>= 1 and <= MaxConcurrentLimit) || body.Role is not ("agent" or "supervisor" or "bot"))
            {
                return ApiProblems.BadRequest($"name is required, role is agent|supervisor|bot, maxConcurrent is 1–{MaxConcurrentLimit}.");
            }

            if (!await setup.EnsureAgentAsync(caller.TenantId, agentId, body.Name.Trim(), SeedLoader.ParseRole(body.Role), body.MaxConcurrent.Value, available: false, ct))
            {
                // An agent id is the agent's Web PubSub user id: shared by two contact centers, each would see the other's conversations.
                return ApiProblems.Refusal(RefusalCode.Forbidden, "The agent id belongs to another contact center.");
            }

            return Results.Ok(new { agentId, name = body.Name.Trim(), role = body.Role, maxConcurrent = body.MaxConcurrent });
        }));

        admin.MapPut("/qualifications/{id}", (HttpContext http, string id, QualificationSetup body, LedgerStore ledger, CancellationToken ct) => AsSupervisor(http, async caller =>
        {
            if (!IsId(id) || string.IsNullOrWhiteSpace(body.Name) || body.Name.Length > 200)
            {
                return ApiProblems.BadRequest("id must be 1–64 letters, digits, '-' or '_' and name 1–200 characters.");
            }

            await ledger.SubmitAsync([EntityOperation.Upsert(new Entity(caller.TenantId, Keys.Reason(id), new Dictionary<string, object?> { ["Name"] = body.Name.Trim() }))], ct);
            return Results.Ok(new { id, name = body.Name.Trim() });
        }));

        admin.MapDelete("/qualifications/{id}", (HttpContext http, string id, LedgerStore ledger, CancellationToken ct) => AsSupervisor(http, async caller =>
        {
            var row = await ledger.GetAsync(caller.TenantId, Keys.Reason(id), ct);
            if (row is null)
            {
                return ApiProblems.Refusal(RefusalCode.QualificationUnknown);
            }

            await ledger.SubmitAsync([EntityOperation.Delete(row)], ct);
            return Results.NoContent();
        }));

        admin.MapPut("/channels/{channelId}", (HttpContext http, string channelId, ChannelSetup body, ContactCenterDirectory directory, CancellationToken ct) => AsSupervisor(http, async caller =>
        {
            if (!channelId.All(char.IsAsciiDigit) || channelId.Length is < 5 or > 30 || string.IsNullOrWhiteSpace(body.WabaId) || !body.WabaId.All(char.IsAsciiDigit))
            {
                return ApiProblems.BadRequest("channelId (Meta phone_number_id) and wabaId must be digits.");
            }

            var saved = await directory.SaveChannelAsync(new ChannelInfo(channelId, caller.TenantId, body.DisplayNumber ?? "", body.WabaId, body.Name ?? ""), ct);
            return saved ? Results.Ok(new { channelId, body.DisplayNumber, body.WabaId, body.Name }) : ApiProblems.Refusal(RefusalCode.Forbidden);
        }));

        admin.MapPut("/settings", (HttpContext http, ContactCenterSettings body, ContactCenterDirectory directory, CancellationToken ct) => AsSupervisor(http, async caller =>
        {
            var tenant = await directory.GetTenantAsync(caller.TenantId, ct) ?? new TenantInfo(caller.TenantId, caller.TenantId, false);
            var updated = tenant with { Name = string.IsNullOrWhiteSpace(body.Name) ? tenant.Name : body.Name.Trim(), BotEnabled = body.BotEnabled ?? tenant.BotEnabled };
            await directory.SaveTenantAsync(updated, ct);
            return Results.Ok(updated);
        }));

        admin.MapPost("/templates/sync", (HttpContext http, TemplateSync sync, CancellationToken ct) => AsSupervisor(http, async _ =>
            Results.Ok(new { updated = await sync.RunAsync(ct) })));
    }

    internal static Task<IResult> AsSupervisor(HttpContext http, Func<Caller, Task<IResult>> action) =>
        AgentApi.WithCaller(http, caller => caller.IsSupervisor ? action(caller) : Task.FromResult(ApiProblems.Refusal(RefusalCode.Forbidden)));

    private static bool IsId(string id) => id.Length is >= 1 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
