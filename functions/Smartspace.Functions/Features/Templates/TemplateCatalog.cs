using System.Text;
using System.Text.Json;
using Smartspace.Core.Templates;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Templates;

/// <summary>
/// The contact center's message templates per WABA, stored in its ledger partition in Meta's own Graph JSON
/// shape (so a sync is a faithful copy), with the status kept current by sync and by the
/// <c>message_template_status_update</c> webhook (P5).
/// </summary>
public sealed class TemplateCatalog(LedgerStore ledger)
{
    public async Task<List<MessageTemplate>> ListAsync(string tenantId, string wabaId, CancellationToken ct)
    {
        var rows = await ledger.QueryAllAsync(tenantId, Keys.TemplatePrefix(wabaId), ct);
        var result = new List<MessageTemplate>(rows.Count);
        foreach (var row in rows)
        {
            if (ToTemplate(row) is { } template)
            {
                result.Add(template);
            }
        }

        return result;
    }

    public async Task<MessageTemplate?> GetAsync(string tenantId, string wabaId, string name, string language, CancellationToken ct) =>
        await ledger.GetAsync(tenantId, Keys.Template(wabaId, name, TemplateStatusNames.NormalizeLanguage(language)), ct) is { } row ? ToTemplate(row) : null;

    public Task SaveAsync(string tenantId, string wabaId, MessageTemplate template, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            GraphTemplateJson.Write(writer, template);
        }

        var entity = new Entity(tenantId, Keys.Template(wabaId, template.Name, TemplateStatusNames.NormalizeLanguage(template.Language)), new Dictionary<string, object?>
        {
            ["Graph"] = Encoding.UTF8.GetString(buffer.ToArray()),
            ["Status"] = TemplateStatusNames.ToMetaName(template.Status),
            ["TemplateId"] = template.Id,
        });
        return ledger.SubmitAsync([EntityOperation.Upsert(entity)], ct);
    }

    /// <summary>Applies a status change (P5). Returns the updated templates (a name may exist in several languages when the webhook names none).</summary>
    public async Task<List<MessageTemplate>> UpdateStatusAsync(string tenantId, string wabaId, string name, string? language, TemplateStatus status, CancellationToken ct)
    {
        var updated = new List<MessageTemplate>();
        foreach (var template in await ListAsync(tenantId, wabaId, ct))
        {
            if (template.Name != name || (language is not null && TemplateStatusNames.NormalizeLanguage(template.Language) != TemplateStatusNames.NormalizeLanguage(language)))
            {
                continue;
            }

            var changed = template with { Status = status };
            await SaveAsync(tenantId, wabaId, changed, ct);
            updated.Add(changed);
        }

        return updated;
    }

    /// <summary>True when the previous sync of <paramref name="wabaId"/> found Meta's listing empty.</summary>
    public async Task<bool> EmptyListingSeenAsync(string tenantId, string wabaId, CancellationToken ct) =>
        await ledger.GetAsync(tenantId, Keys.TemplateListingEmpty(wabaId), ct) is not null;

    /// <summary>Remembers (or forgets) that a sync of <paramref name="wabaId"/> found Meta's listing empty.</summary>
    public Task SetEmptyListingSeenAsync(string tenantId, string wabaId, bool seen, DateTimeOffset now, CancellationToken ct)
    {
        var marker = new Entity(tenantId, Keys.TemplateListingEmpty(wabaId), new Dictionary<string, object?> { ["SeenAt"] = now });
        return ledger.SubmitAsync([seen ? EntityOperation.Upsert(marker) : EntityOperation.Delete(marker)], ct);
    }

    private static MessageTemplate? ToTemplate(Entity row)
    {
        if (row.GetString("Graph") is not { } json)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return GraphTemplateJson.TryParse(document.RootElement, out var template) && template is not null
            ? template with { Status = TemplateStatusNames.Parse(row.GetString("Status")) }
            : null;
    }
}

/// <summary>The template part of an agent's request: which template and the values for its variables (R7).</summary>
public sealed record TemplateRequest(
    string Name,
    string Language,
    JsonElement? Body,
    string? HeaderImageLink,
    string? HeaderMediaId,
    string? HeaderText,
    Dictionary<int, string>? Buttons)
{
    /// <summary>Body values as a JSON array (positional, <c>{{1}}</c>…) or object (named, <c>{{nome}}</c>…).</summary>
    public TemplateParameters ToParameters()
    {
        var parameters = TemplateParameters.Empty;
        if (Body is { ValueKind: JsonValueKind.Array } array)
        {
            parameters = TemplateParameters.Positional(array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : v.GetRawText()).ToArray());
        }
        else if (Body is { ValueKind: JsonValueKind.Object } obj)
        {
            parameters = TemplateParameters.Named(obj.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText(), StringComparer.Ordinal));
        }

        if (!string.IsNullOrWhiteSpace(HeaderImageLink))
        {
            parameters = parameters.WithHeaderImageLink(HeaderImageLink);
        }
        else if (!string.IsNullOrWhiteSpace(HeaderMediaId))
        {
            parameters = parameters.WithHeaderMediaId(HeaderMediaId);
        }

        return parameters with
        {
            HeaderText = HeaderText,
            UrlButtonValues = Buttons ?? new Dictionary<int, string>(),
        };
    }

    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return "template.name is required.";
        }

        if (string.IsNullOrWhiteSpace(Language))
        {
            return "template.language is required.";
        }

        return Body is { } b && b.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined)
            ? "template.body must be an array (positional) or an object (named)."
            : null;
    }
}
