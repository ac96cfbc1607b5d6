using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>
/// Removes messages for erasure and retention: their media files first (<see cref="IMediaFiles"/>), then the message
/// rows with their wamid look-up rows and outbox entries, in batches of at most <see cref="StoreLimits.MaxBatchOperations"/>
/// deletes of the contact center's partition. A row that is already gone (a concurrent purge, a status that never
/// came) is skipped, so every purge can simply run again.
/// </summary>
public sealed class MessagePurge(LedgerStore ledger, IMediaFiles media, TimeProvider time)
{
    /// <summary>Marks a conversation whose messages an erasure has yet to remove (the retention timer finishes what a crash left).</summary>
    public const string ErasurePending = "ErasurePending";

    /// <summary>Deletes these messages of one conversation (entities as read from the ledger). Returns the rows deleted.</summary>
    public async Task<int> DeleteMessagesAsync(string tenantId, string conversationId, IReadOnlyList<Entity> messages, CancellationToken ct)
    {
        if (messages.Count == 0)
        {
            return 0;
        }

        var rows = messages.Select(MessageRow.From).ToList();
        await media.DeleteAsync(rows.Where(m => m.MediaJson is not null).ToList(), ct);
        var seqs = rows.Select(m => m.Seq).ToHashSet();
        var outbox = await ledger.QueryAllAsync(tenantId, Keys.Outbox(conversationId + "."), ct);
        var keys = rows.Select(m => Keys.Message(conversationId, m.Seq))
            .Concat(rows.Where(m => m.Wamid is not null).Select(m => Keys.Wamid(m.Wamid!)))
            .Concat(rows.Where(m => m.MediaState == Core.Media.MediaStates.Pending).Select(m => Keys.MediaFetch(conversationId, m.Seq)))
            .Concat(outbox.Where(o => o.GetInt64("Seq") is { } seq && seqs.Contains(seq)).Select(o => o.RowKey));
        return await DeleteRowsAsync(tenantId, keys, ct);
    }

    /// <summary>
    /// Removes the media of these messages but keeps the messages: the file, Meta's media id and metadata, and the raw
    /// item that repeats them. ETag-guarded; a batch that conflicts is left for the next run. Returns the messages changed.
    /// </summary>
    public async Task<int> RemoveMediaAsync(IReadOnlyList<Entity> messages, CancellationToken ct)
    {
        var changed = 0;
        foreach (var chunk in messages.Chunk(StoreLimits.MaxBatchOperations))
        {
            await media.DeleteAsync(chunk.Select(MessageRow.From).ToList(), ct);
            var now = time.GetUtcNow();
            var operations = chunk.Select(e =>
            {
                var copy = e.Clone();
                copy["Media"] = null;
                copy["Raw"] = null;
                copy["MediaBlob"] = null;
                copy["MediaFileName"] = null;
                copy["MediaState"] = copy.GetString("MediaState") is null ? null : "removed";
                copy["MediaRemovedAt"] = now;
                return EntityOperation.Replace(copy);
            }).ToList();
            if ((await ledger.SubmitAsync(operations, ct)).Succeeded)
            {
                changed += operations.Count;
            }
        }

        return changed;
    }

    /// <summary>
    /// Completes an erasure of one (already anonymized) conversation: deletes all its messages, then clears
    /// <see cref="ErasurePending"/>. Returns the rows deleted.
    /// </summary>
    public async Task<int> FinishErasureAsync(string tenantId, string conversationId, CancellationToken ct)
    {
        var messages = await ledger.QueryAllAsync(tenantId, Keys.MessagePrefix(conversationId), ct);
        var deleted = await DeleteMessagesAsync(tenantId, conversationId, messages, ct);
        if (await ledger.GetAsync(tenantId, Keys.Conversation(conversationId), ct) is { } conversation && conversation.GetBoolean(ErasurePending) == true)
        {
            conversation[ErasurePending] = null;
            await ledger.SubmitAsync([EntityOperation.Replace(conversation)], ct); // a conflict leaves the flag: the next run purges nothing and clears it
        }

        return deleted;
    }

    /// <summary>Completes every erasure of the contact center whose messages are not all gone yet. Returns the rows deleted.</summary>
    public async Task<int> FinishPendingErasuresAsync(string tenantId, CancellationToken ct)
    {
        var deleted = 0;
        foreach (var conversation in await ledger.QueryAllAsync(tenantId, Keys.ConversationPrefix, ct, [new PropertyFilter(ErasurePending, FilterOperator.Equal, true)]))
        {
            deleted += await FinishErasureAsync(tenantId, ConversationRow.From(conversation).ConversationId, ct);
        }

        return deleted;
    }

    /// <summary>Deletes rows by key in batches, skipping the ones that do not exist. Returns the rows deleted.</summary>
    public async Task<int> DeleteRowsAsync(string tenantId, IEnumerable<string> rowKeys, CancellationToken ct)
    {
        var deleted = 0;
        foreach (var chunk in rowKeys.Distinct(StringComparer.Ordinal).Chunk(StoreLimits.MaxBatchOperations))
        {
            var operations = chunk.Select(key => EntityOperation.Delete(new Entity(tenantId, key), "*")).ToList();
            while (operations.Count > 0)
            {
                var result = await ledger.SubmitAsync(operations, ct);
                if (result.Succeeded)
                {
                    deleted += operations.Count;
                    break;
                }

                if (result.Failure != StoreFailure.NotFound || result.FailedIndex < 0 || result.FailedIndex >= operations.Count)
                {
                    throw new StoreUnavailableException($"Deleting rows failed: {result.Failure}.");
                }

                operations.RemoveAt(result.FailedIndex);
            }
        }

        return deleted;
    }
}
