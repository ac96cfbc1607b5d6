using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Smartspace.Core.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Tests.Features.Conversations;
using Smartspace.Functions.Tests.Infrastructure;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Features.Privacy;

/// <summary>What a supervisor and a customer do around an LGPD request, as the product's own HTTP calls, plus a raw scan of the stores.</summary>
public static class PrivacyDesk
{
    public const string Export = "/api/agent/admin/privacy/export";
    public const string Erasure = "/api/agent/admin/privacy/erasure";
    public const string Settings = "/api/agent/admin/privacy/settings";
    public const string Audit = "/api/agent/admin/audit";

    public static HttpClient Supervisor(this HandlerFactory factory, string tenantId = HandlerFactory.TenantId) =>
        factory.ClientFor(tenantId == HandlerFactory.TenantId ? "carla" : "elisa", tenantId, AgentRole.Supervisor);

    /// <summary>The customer sends an image with a caption (P7), as Meta delivers it.</summary>
    public static async Task CustomerSendsImageAsync(this HandlerFactory factory, string waId, string wamid, DateTimeOffset at, string caption, string name, string? userId = null)
    {
        var user = userId is null ? "" : ",\"user_id\":\"" + userId + "\"";
        var json = MetaPayloads.Envelope(HandlerFactory.ChannelId,
            "\"contacts\":[{\"profile\":{\"name\":" + JsonSerializer.Serialize(name) + "},\"wa_id\":\"" + waId + "\"" + user + "}]," +
            "\"messages\":[{\"from\":\"" + waId + "\",\"id\":\"" + wamid + "\",\"timestamp\":\"" + at.ToUnixTimeSeconds() + "\",\"type\":\"image\"," +
            "\"image\":{\"caption\":" + JsonSerializer.Serialize(caption) + ",\"mime_type\":\"image/jpeg\",\"sha256\":\"c2hhMjU2\",\"id\":\"77001" + at.ToUnixTimeSeconds() % 1000 + "\"}}]");
        using var response = await factory.PostWebhookAsync(json);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"webhook {wamid}: {(int)response.StatusCode}");
    }

    /// <summary>The customer's conversation in progress on the demo channel.</summary>
    public static async Task<ConversationRow> CurrentConversationAsync(this HandlerFactory factory, string typed)
    {
        var customer = await factory.CustomerOfAsync(typed);
        Assert.NotNull(customer?.CurrentConversationId);
        return (await factory.ConversationAsync(customer.CurrentConversationId!))!;
    }

    /// <summary>Whoever holds the customer's conversation finishes it (the supervisor when nobody does).</summary>
    public static async Task<string> FinishCurrentAsync(this HandlerFactory factory, string typed, string? qualificationId, string? description)
    {
        var conversation = await factory.CurrentConversationAsync(typed);
        var finisher = conversation.AgentId is { } agent ? factory.ClientFor(agent) : factory.Supervisor();
        await finisher.FinishOkAsync(conversation.ConversationId, qualificationId, description);
        return conversation.ConversationId;
    }

    public static Task<HttpResponseMessage> EraseAsync(this HttpClient client, object who) => client.PostJsonAsync(Erasure, who);

    public static Task<HttpResponseMessage> ExportAsync(this HttpClient client, object who) => client.PostJsonAsync(Export, who);

    /// <summary>Unzips an export; asserts it is one.</summary>
    public static async Task<Dictionary<string, byte[]>> ReadArchiveAsync(this HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"export: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync(), ZipArchiveMode.Read);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in zip.Entries)
        {
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            files[entry.FullName] = copy.ToArray();
        }

        return files;
    }

    /// <summary>The audit trail as a supervisor reads it, newest first.</summary>
    public static async Task<List<JsonElement>> AuditAsync(this HandlerFactory factory, string tenantId = HandlerFactory.TenantId) =>
        (await factory.Supervisor(tenantId).GetJsonAsync(Audit + "?pageSize=200")).GetProperty("items").EnumerateArray().ToList();

    /// <summary>
    /// Every row of the contact center's ledger partition and of every directory partition, each as one line: row key,
    /// then every property name and value. What an erasure must leave no trace in.
    /// </summary>
    public static async Task<List<string>> ScanStoresAsync(this HandlerFactory factory, string tenantId = HandlerFactory.TenantId)
    {
        var store = factory.Get<IEntityStore>();
        var lines = new List<string>();
        var partitions = new[] { (Keys.LedgerTable, tenantId) }
            .Concat(new[] { Keys.ChannelPartition, Keys.WabaPartition, Keys.TenantPartition, Keys.LeasePartition, Keys.AgentPartition }.Select(p => (Keys.DirectoryTable, p)));
        foreach (var (table, partition) in partitions)
        {
            string? token = null;
            do
            {
                var page = await store.QueryAsync(table, new EntityQuery(partition) { ContinuationToken = token });
                lines.AddRange(page.Items.Select(e => $"{table}/{e.PartitionKey}/{e.RowKey} " + string.Join(" ", e.Properties.Select(p => $"{p.Key}={FormatValue(p.Value)}"))));
                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        return lines;
    }

    private static string FormatValue(object? value) => value switch
    {
        DateTimeOffset d => d.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        byte[] b => Convert.ToBase64String(b),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>Asserts that no line holds any of the traces (ordinal, case-insensitive), naming the first offending line.</summary>
    public static void AssertNoTrace(IEnumerable<string> lines, IEnumerable<string> traces, string where)
    {
        var all = lines.ToList();
        foreach (var trace in traces)
        {
            var hit = all.FirstOrDefault(l => l.Contains(trace, StringComparison.OrdinalIgnoreCase));
            Assert.True(hit is null, $"{where} still holds \"{trace}\": {hit}");
        }
    }
}
