using Smartspace.Durable.Client;
using Smartspace.Durable.Orchestrations;
using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Core.Templates;
using Smartspace.Functions.Features.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Seed;

/// <summary>
/// Loads contact centers from a seed file (locally <c>seed/demo-contact-center.json</c>, from <c>Seed:File</c>):
/// tenants, channels, qualifications and templates are upserted; agents are created when missing and
/// otherwise keep their live state (open conversations, availability), so a restart changes nothing.
/// </summary>
public sealed class SeedLoader(ContactCenterDirectory directory, LedgerStore ledger, IConversationEntities entities, TemplateCatalog templates, ILogger<SeedLoader> logger)
{
    public async Task LoadFileAsync(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        foreach (var tenant in document.RootElement.GetProperty("tenants").EnumerateArray())
        {
            await LoadTenantAsync(tenant, ct);
        }
    }

    public async Task LoadTenantAsync(JsonElement tenant, CancellationToken ct)
    {
        var tenantId = tenant.GetProperty("id").GetString()!;
        await directory.SaveTenantAsync(new TenantInfo(tenantId, Str(tenant, "name") ?? tenantId, tenant.TryGetProperty("botEnabled", out var bot) && bot.GetBoolean()), ct);
        foreach (var c in Array(tenant, "channels"))
        {
            await directory.SaveChannelAsync(new ChannelInfo(Str(c, "phoneNumberId")!, tenantId, Str(c, "displayNumber") ?? "", Str(c, "wabaId") ?? "", Str(c, "name") ?? ""), ct);
        }

        // Agents are independent of each other: seeded at once (each may run an orchestration on its own entity).
        await Task.WhenAll(Array(tenant, "agents").Select(a => SeedAgentAsync(tenantId, a, ct)));

        foreach (var q in Array(tenant, "qualifications"))
        {
            await ledger.SubmitAsync([EntityOperation.Upsert(new Entity(tenantId, Keys.Reason(Str(q, "id")!), new Dictionary<string, object?> { ["Name"] = Str(q, "name") }))], ct);
        }

        var wabaId = Array(tenant, "channels").Select(c => Str(c, "wabaId")).FirstOrDefault(w => !string.IsNullOrEmpty(w));
        foreach (var t in Array(tenant, "templates"))
        {
            if (wabaId is not null && GraphTemplateJson.TryParse(t, out var template) && template is not null)
            {
                await templates.SaveAsync(tenantId, wabaId, template, ct);
            }
        }

        logger.LogInformation("Seeded contact center {TenantId}", tenantId);
    }

    private async Task SeedAgentAsync(string tenantId, JsonElement a, CancellationToken ct)
    {
        var agentId = Str(a, "id")!;
        try
        {
            if (!await EnsureAgentAsync(tenantId, agentId, Str(a, "name") ?? "", ParseRole(Str(a, "role")),
                a.TryGetProperty("maxConcurrent", out var max) ? max.GetInt32() : 5,
                a.TryGetProperty("available", out var available) && available.GetBoolean(), ct))
            {
                logger.LogError("Seed: agent id {AgentId} of contact center {TenantId} belongs to another contact center; skipped (agent ids are unique across contact centers)", agentId, tenantId);
            }
        }
        catch (TimeoutException)
        {
            // The update is a durable orchestration: it still completes once the agent's entity is free (after a crash, an
            // orchestration of the dead host may hold it until the runtime replays it). Start-up does not wait on it.
            logger.LogWarning("Seed: agent {AgentId} of contact center {TenantId} is still held by an earlier operation; its settings apply when it is released", agentId, tenantId);
        }
    }

    /// <summary>
    /// Creates the agent, or updates name/role/maximum while keeping its live state. False, and nothing written, when the
    /// agent id belongs to another contact center (<see cref="ContactCenterDirectory.ClaimAgentIdAsync"/>).
    /// </summary>
    public async Task<bool> EnsureAgentAsync(string tenantId, string agentId, string name, AgentRole role, int maxConcurrent, bool available, CancellationToken ct)
    {
        if (!await directory.ClaimAgentIdAsync(agentId, tenantId, ct))
        {
            return false;
        }

        // The directory row (name, role), then the agent's entity: the maximum, and availability for a new agent only (an
        // existing agent keeps what they set themselves).
        var existing = await ledger.GetAgentAsync(tenantId, agentId, ct);
        var row = new AgentRow { TenantId = tenantId, AgentId = agentId, Name = name, Role = role };
        await ledger.SubmitAsync([EntityOperation.Upsert(row.ToEntity())], ct);

        // Unchanged maximum of an existing agent (every restart with the same seed): nothing for the entity to do, so no
        // orchestration that would wait on an entity another operation holds.
        if (existing is not null && (await entities.GetAgentAsync(tenantId, agentId, ct)) is { Version: > 0 } capacity && capacity.MaxConcurrent == maxConcurrent)
        {
            return true;
        }

        await entities.UpdateAgentAsync(new UpdateAgentInput(tenantId, agentId, new AgentUpdate(MaxConcurrent: maxConcurrent, Available: existing is null ? available : null)), ct);
        return true;
    }

    public static AgentRole ParseRole(string? role) => role?.ToLowerInvariant() switch
    {
        "supervisor" => AgentRole.Supervisor,
        "bot" => AgentRole.Bot,
        _ => AgentRole.Agent,
    };

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Array(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : [];
}
