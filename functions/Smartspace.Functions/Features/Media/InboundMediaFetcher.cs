using System.Security.Cryptography;
using System.Text.Json;
using Smartspace.Core.Media;
using Smartspace.Functions.Features.Conversations;
using Smartspace.Functions.Ledger;
using Smartspace.Functions.Realtime;
using Smartspace.Meta.Media;
using Smartspace.Storage;
using Smartspace.Storage.Blobs;

namespace Smartspace.Functions.Features.Media;

/// <summary>
/// Issue 16: a customer's image, voice note, video, document or sticker, fetched from Meta and stored in the blob
/// store. Each message with media gets a fetch row in the same batch as the message (so nothing is lost between the
/// 200 and the fetch). A fetch claims its row (ETag), resolves the media id at the Graph API, downloads within Meta's
/// URL validity, checks the sha256 and the size limit, stores the file under the contact center's folder, then commits
/// the message's new state with the conversation's next version and removes the row. Failures follow
/// <see cref="MediaFetchRules"/>: a bounded, spaced series of retries (the sweep runs what is due), and a clear final
/// "unavailable" when Meta cannot deliver (expired id, 131052, too large).
/// </summary>
public sealed partial class InboundMediaFetcher(
    LedgerStore ledger,
    ContactCenterDirectory directory,
    IMetaMedia meta,
    IBlobStore blobs,
    IAgentEventPublisher events,
    TimeProvider time,
    ILogger<InboundMediaFetcher> logger)
{
    public const int MaxConcurrentFetches = 4;

    /// <summary>A claim older than this is taken as abandoned (its process died) and fetched again.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim slots = new(MaxConcurrentFetches);

    /// <param name="receivedAt">Meta's timestamp of the message (the 7-day id lifetime counts from it).</param>
    /// <param name="now">When it was stored: the first attempt is due at once (Meta's clock may run ahead of ours).</param>
    public static Entity FetchRow(string tenantId, string conversationId, long seq, string mediaId, DateTimeOffset receivedAt, DateTimeOffset now) =>
        new(tenantId, Keys.MediaFetch(conversationId, seq), new Dictionary<string, object?>
        {
            ["ConversationId"] = conversationId,
            ["Seq"] = seq,
            ["MediaId"] = mediaId,
            ["ReceivedAt"] = receivedAt,
            ["Attempts"] = 0,
            ["Mismatches"] = 0,
            ["NextAttemptAt"] = now,
        });

    /// <summary>Fetches every due media of every contact center (the timer). Returns how many were handled.</summary>
    public async Task<int> SweepAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var work = new List<Task<bool>>();
        foreach (var tenant in await directory.GetTenantsAsync(ct))
        {
            foreach (var row in await ledger.QueryAllAsync(tenant.TenantId, Keys.MediaFetchPrefix, ct))
            {
                if (Due(row, now) && row.GetString("ConversationId") is { } conversationId && row.GetInt64("Seq") is { } seq)
                {
                    work.Add(FetchAsync(tenant.TenantId, conversationId, seq, ct));
                }
            }
        }

        return (await Task.WhenAll(work)).Count(handled => handled);
    }

    /// <summary>One attempt for one message, if its row is due. True when something was done.</summary>
    public async Task<bool> FetchAsync(string tenantId, string conversationId, long seq, CancellationToken ct)
    {
        await slots.WaitAsync(ct);
        try
        {
            return await AttemptAsync(tenantId, conversationId, seq, ct);
        }
        finally
        {
            slots.Release();
        }
    }

    private static bool Due(Entity row, DateTimeOffset now) =>
        row.GetDateTimeOffset("ClaimedAt") is { } claimed
            ? claimed + ClaimTimeout <= now
            : (row.GetDateTimeOffset("NextAttemptAt") ?? now) <= now;

    private async Task<bool> AttemptAsync(string tenantId, string conversationId, long seq, CancellationToken ct)
    {
        var row = await ledger.GetAsync(tenantId, Keys.MediaFetch(conversationId, seq), ct);
        var now = time.GetUtcNow();
        if (row is null || !Due(row, now))
        {
            return false;
        }

        var message = await ledger.GetMessageAsync(tenantId, conversationId, seq, ct);
        var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
        if (message is null || conversation is null || message.MediaState != MediaStates.Pending)
        {
            await ledger.SubmitAsync([EntityOperation.Delete(row)], ct); // erased, or settled meanwhile
            return true;
        }

        // Claim: one instance fetches; a conflict means another one has it.
        row["ClaimedAt"] = now;
        var claim = await ledger.SubmitAsync([EntityOperation.Replace(row)], ct);
        if (!claim.Succeeded)
        {
            return false;
        }

        row.ETag = claim.ETags[0];
        var attempt = (row.GetInt32("Attempts") ?? 0) + 1;
        var mismatches = row.GetInt32("Mismatches") ?? 0;
        var receivedAt = row.GetDateTimeOffset("ReceivedAt") ?? message.At;
        MediaFetchResult result;
        string? blob = null;
        long size = 0;
        string? contentType = null;
        var known = MediaRules.TryParseKind(message.Kind, out var kind);
        if (MediaFetchRules.Expired(receivedAt, now) || !known)
        {
            result = MediaFetchResult.Gone;
        }
        else
        {
            var media = MediaMetadata.Parse(message.MediaJson);
            var download = await meta.DownloadAsync(row.GetString("MediaId")!, conversation.ChannelId, MediaRules.For(kind).MaxBytes, ct);
            result = download.Result;
            if (result == MediaFetchResult.Stored && !ChecksumMatches(download.Content!, media.Sha256, download.Sha256))
            {
                result = MediaFetchResult.ChecksumMismatch;
                mismatches++;
            }

            if (result == MediaFetchResult.Stored)
            {
                contentType = MediaRules.BaseMimeType(media.MimeType ?? download.MimeType) is { Length: > 0 } mime ? mime : "application/octet-stream";
                blob = Keys.MediaBlob(tenantId, conversationId, seq.ToString("D8", System.Globalization.CultureInfo.InvariantCulture));
                size = download.Content!.LongLength;
                using var content = new MemoryStream(download.Content, writable: false);
                await blobs.PutAsync(blob, content, contentType, ct);
            }
            else
            {
                LogAttemptFailed(conversationId, seq, attempt, result, download.Code, download.HttpStatus);
            }
        }

        var decision = MediaFetchRules.Decide(result, attempt, mismatches, receivedAt, time.GetUtcNow());
        if (decision is MediaFetchDecision.RetryAt retry)
        {
            row["ClaimedAt"] = null;
            row["Attempts"] = attempt;
            row["Mismatches"] = mismatches;
            row["NextAttemptAt"] = retry.At;
            row["LastResult"] = result.ToString();
            await ledger.SubmitAsync([EntityOperation.Replace(row)], ct); // a conflict: an erasure removed it, or a sweep reclaimed it
            return true;
        }

        await SettleAsync(tenantId, conversationId, seq, row, m =>
        {
            if (decision is MediaFetchDecision.GiveUp giveUp)
            {
                m.MediaState = MediaStates.Unavailable;
                m.MediaError = giveUp.Reason;
                return;
            }

            m.MediaState = MediaStates.Stored;
            m.MediaBlob = blob;
            m.MediaContentType = contentType;
            m.MediaSize = size;
            m.MediaFileName = MediaRules.FileName(kind, contentType, MediaMetadata.Parse(m.MediaJson).Filename, m.OurMessageId.Replace('.', '-'));
        }, blob, ct);
        return true;
    }

    /// <summary>Commits the final state with the conversation's next version and removes the fetch row; one event to the agent.</summary>
    private async Task SettleAsync(string tenantId, string conversationId, long seq, Entity row, Action<MessageRow> apply, string? blob, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var message = await ledger.GetMessageAsync(tenantId, conversationId, seq, ct);
            var conversation = await ledger.GetConversationAsync(tenantId, conversationId, ct);
            var current = await ledger.GetAsync(tenantId, row.RowKey, ct);
            if (message is null || conversation is null || current is null || message.MediaState != MediaStates.Pending)
            {
                // Erased (or purged) while we fetched: the file must not outlive its message.
                if (blob is not null && (message is null || message.MediaBlob != blob))
                {
                    await blobs.DeleteAsync(blob, ct);
                }

                return;
            }

            apply(message);
            conversation.Version++;
            message.Version = conversation.Version;
            var result = await ledger.SubmitAsync(
            [
                EntityOperation.Replace(conversation.ToEntity()),
                EntityOperation.Replace(message.ToEntity()),
                EntityOperation.Delete(current),
            ], ct);
            if (!result.Succeeded)
            {
                continue;
            }

            LogSettled(conversationId, seq, message.MediaState!, message.MediaError);
            await events.PublishAsync(new AgentEvent(AgentEventTypes.MessageStatusChanged, tenantId, conversationId, conversation.Version, conversation.AgentId,
                new { message = MessageView.From(message), conversation = ConversationView.From(conversation) }), ct);
            return;
        }

        throw new StoreUnavailableException("Settling a media fetch kept conflicting.");
    }

    /// <summary>Meta writes the sha256 as hex or base64; either (from the webhook or the lookup) must match when present.</summary>
    internal static bool ChecksumMatches(byte[] content, params string?[] expected)
    {
        var hash = SHA256.HashData(content);
        var hex = Convert.ToHexString(hash);
        var base64 = Convert.ToBase64String(hash);
        return expected.Where(e => !string.IsNullOrWhiteSpace(e))
            .All(e => string.Equals(e, hex, StringComparison.OrdinalIgnoreCase) || string.Equals(e, base64, StringComparison.Ordinal));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Media of {ConversationId}.{Seq}: attempt {Attempt} ended {Result} (code {Code}, HTTP {HttpStatus})")]
    private partial void LogAttemptFailed(string conversationId, long seq, int attempt, MediaFetchResult result, int? code, int? httpStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "Media of {ConversationId}.{Seq} is {State} ({Error})")]
    private partial void LogSettled(string conversationId, long seq, string state, string? error);
}

/// <summary>The media part of a message as stored (<see cref="MessageRow.MediaJson"/>, camelCase).</summary>
public sealed record MediaMetadata(string? Id, string? MimeType, string? Sha256, string? Caption, string? Filename, bool? Voice)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static MediaMetadata Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return new MediaMetadata(null, null, null, null, null, null);
        }

        try
        {
            return JsonSerializer.Deserialize<MediaMetadata>(json, Json) ?? new MediaMetadata(null, null, null, null, null, null);
        }
        catch (JsonException)
        {
            return new MediaMetadata(null, null, null, null, null, null);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions(Json) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
}
