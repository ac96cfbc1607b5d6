using Smartspace.Durable.Client;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Smartspace.Core.Conversations;
using Smartspace.Core.Phones;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>
/// LGPD access (art. 18, II): one archive with everything the contact center holds about a customer — the profile on
/// every channel with the number variants (P6) and BSUID, every conversation with its qualification and description,
/// every message with its status and errors, and the media (metadata, and the file where one is stored). The archive
/// is <c>export.json</c> plus <c>media/{conversation}-{seq}.json</c> (and the file itself beside it, when stored), and
/// <c>dead-letters/{seq}.json</c> for each webhook of theirs the inbox could not apply (the raw body as Meta sent it).
/// </summary>
public sealed class CustomerExportHandler(CustomerRecordsReader reader, LedgerStore ledger, IConversationEntities entities, IMediaFiles media, AuditTrail audit, TimeProvider time)
{
    public const string ContentType = "application/zip";
    // A file for people (the customer, the DPO): accents as written, not \u escapes. Never embedded in HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task<IResult> HandleAsync(Caller caller, CustomerRequest request, CancellationToken ct)
    {
        if (request.ToKey(out var error) is not { } key)
        {
            return ApiProblems.BadRequest(error!);
        }

        var records = await reader.FindAsync(caller.TenantId, key, ct);
        if (records.IsEmpty)
        {
            await audit.RecordAsync(caller.TenantId, AuditTrail.ActorOf(caller), AuditActions.Export, "not_found", records.MaskedKey, null, ct);
            return ApiProblems.Refusal(RefusalCode.CustomerNotFound);
        }

        var now = time.GetUtcNow();
        using var buffer = new MemoryStream();
        int messageCount = 0, mediaCount = 0;
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var conversations = new JsonArray();
            foreach (var conversation in records.Conversations.Select(ConversationRow.From).OrderBy(c => c.CreatedAt))
            {
                var messages = new JsonArray();
                foreach (var message in await ledger.GetMessagesAsync(caller.TenantId, conversation.ConversationId, 0, ct))
                {
                    messageCount++;
                    string? mediaPath = null;
                    if (message.MediaJson is not null)
                    {
                        mediaCount++;
                        mediaPath = await WriteMediaAsync(zip, message, ct);
                    }

                    messages.Add(MessageJson(message, mediaPath));
                }

                conversations.Add(ConversationJson(conversation, messages));
            }

            var document = new JsonObject
            {
                ["exportedAt"] = now,
                ["contactCenter"] = caller.TenantId,
                ["customer"] = CustomerJson(records),
                ["profiles"] = new JsonArray((await Task.WhenAll(records.Profiles.Select(async p => ProfileJson(p, await entities.GetCustomerAsync(p.TenantId, p.ChannelId, p.CustomerKey, ct))))).ToArray<JsonNode?>()),
                ["conversations"] = conversations,
                // Stored and acknowledged to WhatsApp, not yet placed in a conversation (a backlog, a store briefly down).
                ["messagesNotYetPlaced"] = new JsonArray(records.Staged.Select(m => (JsonNode?)StagedJson(m)).ToArray()),
            };
            messageCount += records.Staged.Count;
            WriteEntry(zip, "export.json", JsonSerializer.SerializeToUtf8Bytes(document, Indented));
        }

        await audit.RecordAsync(caller.TenantId, AuditTrail.ActorOf(caller), AuditActions.Export, "done", records.MaskedKey,
            new { profiles = records.Profiles.Count, conversations = records.Conversations.Count, messages = messageCount, media = mediaCount }, ct);
        var fileName = string.Create(CultureInfo.InvariantCulture, $"lgpd-export-{caller.TenantId}-{now:yyyyMMdd-HHmmss}.zip");
        return Results.File(buffer.ToArray(), ContentType, fileName);
    }

    /// <summary>The identifiers the customer is known by: every key, the 12-digit variant of a Brazilian mobile (P6), BSUIDs.</summary>
    private static JsonObject CustomerJson(CustomerRecords records)
    {
        var numbers = new SortedSet<string>(StringComparer.Ordinal);
        var userIds = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var value in records.CustomerKeys)
        {
            if (CustomerKey.TryFromWaId(value, out var phone))
            {
                numbers.Add(phone.Value);
                if (phone.LegacyWaId is { } legacy)
                {
                    numbers.Add(legacy);
                }
            }
            else
            {
                userIds.Add(value);
            }
        }

        foreach (var profile in records.Profiles)
        {
            foreach (var number in new[] { profile.WaId, profile.SendTo })
            {
                if (number is not null)
                {
                    numbers.Add(number.TrimStart('+'));
                }
            }
        }

        return new JsonObject
        {
            ["numberVariants"] = new JsonArray(numbers.Select(n => (JsonNode?)n).ToArray()),
            ["userIds"] = new JsonArray(userIds.Select(n => (JsonNode?)n).ToArray()),
        };
    }

    /// <summary>The profile row and what the customer's entity keeps about them (the window, the conversations, the name).</summary>
    private static JsonObject ProfileJson(CustomerRow p, CustomerConversationState state) => new()
    {
        ["channelId"] = p.ChannelId,
        ["customerKey"] = p.CustomerKey,
        ["sendTo"] = p.SendTo,
        ["waId"] = p.WaId,
        ["userId"] = p.UserId,
        ["profileName"] = p.ProfileName,
        ["registeredName"] = p.RegisteredName,
        ["lastInboundAt"] = state.LastInboundAt,
        ["currentConversationId"] = state.InProgress ? state.ConversationId : null,
        ["lastConversationId"] = state.InProgress ? state.LastConversationId : state.ConversationId ?? state.LastConversationId,
    };

    private static JsonObject ConversationJson(ConversationRow c, JsonArray messages) => new()
    {
        ["id"] = c.ConversationId,
        ["channelId"] = c.ChannelId,
        ["customerName"] = c.CustomerName,
        ["customerNumber"] = c.CustomerNumber,
        ["agentId"] = c.AgentId,
        ["stage"] = ConversationView.StageName(c.Stage),
        ["origin"] = c.Origin,
        ["createdAt"] = c.CreatedAt,
        ["assignedAt"] = c.AssignedAt,
        ["closedAt"] = c.ClosedAt,
        ["closedReason"] = c.ClosedReason,
        ["qualificationId"] = c.QualificationId,
        ["qualificationName"] = c.QualificationName,
        ["description"] = c.Description,
        ["lastMessageAt"] = c.LastMessageAt,
        ["lastInboundAt"] = c.LastInboundAt,
        ["messages"] = messages,
    };

    private static JsonObject StagedJson(Smartspace.Storage.Entity m) => new()
    {
        ["channelId"] = m.GetString("ChannelId"),
        ["wamid"] = m.GetString("Wamid"),
        ["waId"] = m.GetString("WaId"),
        ["userId"] = m.GetString("UserId"),
        ["profileName"] = m.GetString("ProfileName"),
        ["at"] = m.GetDateTimeOffset("At"),
        ["kind"] = m.GetString("Kind"),
        ["text"] = m.GetString("DisplayText"),
        ["body"] = m.GetString("Body"),
        ["contextWamid"] = m.GetString("ContextWamid"),
        ["referral"] = ParseOrText(m.GetString("Referral")),
        ["forwarded"] = m.GetBoolean("Forwarded"),
        ["media"] = ParseOrText(m.GetString("Media")),
        ["raw"] = ParseOrText(m.GetString("Raw")),
    };

    private static JsonObject MessageJson(MessageRow m, string? mediaPath) => new()
    {
        ["seq"] = m.Seq,
        ["direction"] = m.Direction,
        ["kind"] = m.Kind,
        ["at"] = m.At,
        ["text"] = m.DisplayText,
        ["body"] = m.Body,
        ["agentId"] = m.AgentId,
        ["wamid"] = m.Wamid,
        ["waId"] = m.WaId,
        ["status"] = m.Status,
        ["statusAt"] = m.StatusAt,
        ["errorCode"] = m.ErrorCode,
        ["errorTitle"] = m.ErrorTitle,
        ["errorDetails"] = m.ErrorDetails,
        ["errorText"] = m.ErrorText,
        ["templateName"] = m.TemplateName,
        ["templateLanguage"] = m.TemplateLanguage,
        ["templateParameters"] = ParseOrText(m.TemplateParametersJson),
        ["headerImage"] = m.HeaderImage,
        ["contextWamid"] = m.ContextWamid,
        ["referral"] = ParseOrText(m.ReferralJson),
        ["forwarded"] = m.Forwarded,
        ["media"] = ParseOrText(m.MediaJson),
        ["mediaFile"] = mediaPath,
        ["raw"] = ParseOrText(m.Raw),
    };

    /// <summary>Writes the media metadata (and the stored file, if any); returns the file's path in the archive, or the metadata's.</summary>
    private async Task<string> WriteMediaAsync(ZipArchive zip, MessageRow message, CancellationToken ct)
    {
        var stem = string.Create(CultureInfo.InvariantCulture, $"media/{message.ConversationId}-{message.Seq}");
        WriteEntry(zip, stem + ".json", System.Text.Encoding.UTF8.GetBytes(message.MediaJson!));
        if (await media.ReadAsync(message, ct) is not { } file)
        {
            return stem + ".json";
        }

        var path = stem + "-" + Path.GetFileName(file.FileName);
        WriteEntry(zip, path, file.Content);
        return path;
    }

    /// <summary>The archive is built in memory: writing its entries cannot block on I/O.</summary>
    private static void WriteEntry(ZipArchive zip, string path, byte[] content)
    {
        using var stream = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
        stream.Write(content);
    }

    private static JsonNode? ParseOrText(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }
}
