using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.Features;
using Smartspace.Core.Conversations;
using Smartspace.Core.Media;
using Smartspace.Core.Text;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Features.SendMessage;
using Smartspace.Functions.Ledger;
using Smartspace.Storage.Blobs;

namespace Smartspace.Functions.Features.Media;

/// <summary>
/// <c>POST …/conversations/{id}/attachments</c> (multipart/form-data: <c>file</c>, optional <c>caption</c> and
/// <c>replyTo</c>): an agent's image, document, audio or video inside the 24-hour window. The file is checked against
/// Meta's type and size limits (415 / 413 / 400 problem+json otherwise), stored in the blob store, then recorded like
/// any message with its outbox entry; the outbox uploads it to Meta's <c>/media</c> and sends it by id, and its
/// statuses come back like a text's. Outside the window it is refused exactly as free text is (a template only).
/// </summary>
public sealed class SendAttachmentHandler(SendMessageHandler sender, IBlobStore blobs)
{
    /// <summary>The largest body taken: Meta's largest file (a 100 MB document) and the form around it.</summary>
    public static long MaxBodyBytes => MediaRules.MaxAttachmentRequestBytes;

    public async Task<IResult> HandleAsync(HttpContext http, Caller caller, string conversationId, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return ApiProblems.Refusal(RefusalCode.AttachmentTooLarge);
        }

        if (!http.Request.HasFormContentType)
        {
            return ApiProblems.BadRequest("Send the attachment as multipart/form-data with a 'file' part (and optional 'caption' and 'replyTo').");
        }

        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxBodyBytes }, ct);
        }
        catch (InvalidDataException ex)
        {
            return ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
                ? ApiProblems.Refusal(RefusalCode.AttachmentTooLarge)
                : ApiProblems.BadRequest("The multipart body is malformed: " + ex.Message);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return ApiProblems.Refusal(RefusalCode.AttachmentTooLarge);
        }

        var file = form.Files.GetFile("file");
        if (file is null || form.Files.Count != 1)
        {
            return ApiProblems.BadRequest("Exactly one 'file' part is required.");
        }

        var caption = form["caption"].ToString() is { Length: > 0 } c ? c : null;
        var replyTo = form["replyTo"].ToString() is { Length: > 0 } r ? r : null;
        var contentType = MediaRules.BaseMimeType(file.ContentType);
        if (MediaRules.OutboundKindOf(contentType) is not { } kind)
        {
            return ApiProblems.Refusal(RefusalCode.AttachmentUnsupportedType, $"'{contentType}' is not a type WhatsApp takes.");
        }

        if (MediaRules.CheckOutbound(kind, contentType, file.Length, caption) is { } problem)
        {
            return ApiProblems.Refusal(problem.Kind switch
            {
                AttachmentProblemKind.TooLarge => RefusalCode.AttachmentTooLarge,
                AttachmentProblemKind.UnsupportedType => RefusalCode.AttachmentUnsupportedType,
                _ => RefusalCode.AttachmentInvalid,
            }, problem.Reason);
        }

        // The file goes to the blob store first: the outbox always finds what it must upload. A refused send removes it.
        byte[] content;
        using (var buffer = new MemoryStream())
        {
            await file.CopyToAsync(buffer, ct);
            content = buffer.ToArray();
        }

        var blob = Keys.MediaBlob(caller.TenantId, conversationId.Length > 0 ? conversationId : "none", "out-" + Guid.NewGuid().ToString("N"));
        var fileName = MediaRules.FileName(kind, contentType, file.FileName, "arquivo");
        var sha256 = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
        using (var stream = new MemoryStream(content, writable: false))
        {
            await blobs.PutAsync(blob, stream, contentType, ct);
        }

        var result = await sender.SendFreeFormAsync(caller, conversationId, replyTo, (conversation, now) => new MessageRow
        {
            TenantId = conversation.TenantId,
            ConversationId = conversation.ConversationId,
            Seq = conversation.MessageSeq,
            Direction = "out",
            Kind = kind.WireName(),
            DisplayText = DisplayText(kind, fileName, caption),
            Body = caption,
            MediaJson = new MediaMetadata(null, contentType, sha256, caption, kind == MediaKind.Document ? fileName : null, null).ToJson(),
            MediaState = MediaStates.Stored,
            MediaBlob = blob,
            MediaContentType = contentType,
            MediaSize = content.LongLength,
            MediaFileName = fileName,
            Status = "pending",
            At = now,
            Version = conversation.Version,
            AgentId = caller.AgentId,
        }, null, ct);
        if (result is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status202Accepted })
        {
            await blobs.DeleteAsync(blob, ct);
        }

        return result;
    }

    /// <summary>The chat line, like an inbound one (P7): "📷 Imagem — legenda", "📄 contrato.pdf".</summary>
    public static string DisplayText(MediaKind kind, string fileName, string? caption)
    {
        var label = kind switch
        {
            MediaKind.Image => PtBr.InboundImage,
            MediaKind.Audio => PtBr.InboundAudio,
            MediaKind.Video => PtBr.InboundVideo,
            MediaKind.Document => PtBr.InboundDocumentNamed(fileName),
            _ => PtBr.InboundSticker,
        };
        return caption is null ? label : label + PtBr.CaptionSeparator + caption;
    }
}
