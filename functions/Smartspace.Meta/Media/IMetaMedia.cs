using Smartspace.Core.Media;
using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Media;

/// <summary>A customer's media as downloaded from Meta, or why it could not be.</summary>
/// <param name="Result"><see cref="MediaFetchResult.Stored"/> when <see cref="Content"/> holds the bytes.</param>
/// <param name="Sha256">The checksum Meta's media lookup gave (hex or base64, as Meta wrote it).</param>
/// <param name="Reason">What happened, for logs (English; never a token or a number).</param>
public sealed record MediaDownload(MediaFetchResult Result, byte[]? Content, string? MimeType, string? Sha256, int? Code, int? HttpStatus, string Reason);

/// <summary>The id Meta's <c>/media</c> answered, or the refusal (classified like a send: retry later or permanent).</summary>
public sealed record MediaUpload(string? MediaId, SendOutcome.Rejected? Refusal);

/// <summary>
/// Meta's media and receipt calls (reference §12): resolve a webhook media id to a short-lived URL and download it with
/// the access token; upload an agent's file; mark a customer's message read, optionally with the typing indicator.
/// </summary>
public interface IMetaMedia
{
    /// <summary>
    /// <c>GET /{media-id}?phone_number_id=</c>, then <c>GET {url}</c> with the bearer token (a 404 on the URL asks for a
    /// fresh one once). At most <paramref name="maxBytes"/> are read. Never throws for Meta or network failures.
    /// </summary>
    Task<MediaDownload> DownloadAsync(string mediaId, string phoneNumberId, long maxBytes, CancellationToken cancellationToken);

    /// <summary><c>POST /{phone-number-id}/media</c> (multipart: messaging_product, type, file). Never throws for Meta or network failures.</summary>
    Task<MediaUpload> UploadAsync(string phoneNumberId, byte[] content, string mimeType, string fileName, CancellationToken cancellationToken);

    /// <summary>
    /// <c>POST /{phone-number-id}/messages {"status":"read","message_id"}</c>, with <c>typing_indicator</c> when
    /// <paramref name="typing"/>. True when Meta answered success.
    /// </summary>
    Task<bool> MarkReadAsync(string phoneNumberId, string wamid, bool typing, CancellationToken cancellationToken);
}
