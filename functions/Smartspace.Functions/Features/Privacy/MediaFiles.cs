using Smartspace.Functions.Ledger;

namespace Smartspace.Functions.Features.Privacy;

/// <summary>A stored media file of a message, as the export writes it into the archive.</summary>
public sealed record MediaFile(string FileName, string ContentType, byte[] Content);

/// <summary>
/// The one place where stored media files meet LGPD: the export reads a message's file through it, and erasure and
/// retention remove files through it <em>before</em> the message rows that name them go (so a crash in between
/// leaves a row without a file, never a file nobody can find). Today the product stores no media files — a message
/// keeps only Meta's media id and metadata (<see cref="MessageRow.MediaJson"/>) — so <see cref="MetaMediaIdsOnly"/>
/// has nothing to read or remove. When Blob Storage lands, its adapter replaces that registration and nothing else.
/// </summary>
public interface IMediaFiles
{
    /// <summary>The stored file of the message's media, or null when none is stored.</summary>
    Task<MediaFile?> ReadAsync(MessageRow message, CancellationToken ct);

    /// <summary>Removes the stored files of these messages' media (idempotent: a missing file is not an error).</summary>
    Task DeleteAsync(IReadOnlyList<MessageRow> messages, CancellationToken ct);
}

/// <summary>Media live at Meta only (by media id): no file to export or remove.</summary>
public sealed class MetaMediaIdsOnly : IMediaFiles
{
    public Task<MediaFile?> ReadAsync(MessageRow message, CancellationToken ct) => Task.FromResult<MediaFile?>(null);

    public Task DeleteAsync(IReadOnlyList<MessageRow> messages, CancellationToken ct) => Task.CompletedTask;
}
