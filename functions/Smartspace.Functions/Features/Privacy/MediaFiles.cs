using Smartspace.Functions.Ledger;
using Smartspace.Storage.Blobs;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>A stored media file of a message, as the export writes it into the archive.</summary>
public sealed record MediaFile(string FileName, string ContentType, byte[] Content);

/// <summary>
/// The one place where stored media files meet LGPD: the export reads a message's file through it, and erasure and
/// retention remove files through it <em>before</em> the message rows that name them go (so a crash in between
/// leaves a row without a file, never a file nobody can find). Files live in the blob store (<see cref="StoredMediaFiles"/>):
/// a customer's media once fetched from Meta, an agent's attachment once sent.
/// </summary>
public interface IMediaFiles
{
    /// <summary>The stored file of the message's media, or null when none is stored.</summary>
    Task<MediaFile?> ReadAsync(MessageRow message, CancellationToken ct);

    /// <summary>Removes the stored files of these messages' media (idempotent: a missing file is not an error).</summary>
    Task DeleteAsync(IReadOnlyList<MessageRow> messages, CancellationToken ct);
}

/// <summary>The files of <see cref="MessageRow.MediaBlob"/> in the blob store (Azure Blob Storage, Azurite or the media folder).</summary>
public sealed class StoredMediaFiles(IBlobStore blobs) : IMediaFiles
{
    public async Task<MediaFile?> ReadAsync(MessageRow message, CancellationToken ct)
    {
        if (message.MediaBlob is null)
        {
            return null;
        }

        await using var stored = await blobs.GetAsync(message.MediaBlob, ct);
        if (stored is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stored.Content.CopyToAsync(copy, ct);
        return new MediaFile(message.MediaFileName ?? Path.GetFileName(message.MediaBlob), message.MediaContentType ?? stored.ContentType, copy.ToArray());
    }

    public async Task DeleteAsync(IReadOnlyList<MessageRow> messages, CancellationToken ct)
    {
        foreach (var message in messages)
        {
            if (message.MediaBlob is not null)
            {
                await blobs.DeleteAsync(message.MediaBlob, ct);
            }
        }
    }
}
