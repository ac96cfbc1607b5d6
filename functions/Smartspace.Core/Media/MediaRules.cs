using System.Globalization;

namespace Smartspace.Core.Media;

/// <summary>The kinds of WhatsApp media (reference §12), by their Meta <c>type</c>.</summary>
public enum MediaKind
{
    Image,
    Audio,
    Video,
    Document,
    Sticker,
}

/// <summary>One kind's accepted MIME types and size limit (reference §12).</summary>
public sealed record MediaKindLimits(MediaKind Kind, IReadOnlyList<string> MimeTypes, long MaxBytes, bool CaptionAllowed);

/// <summary>Why an attachment cannot be sent as it is.</summary>
public enum AttachmentProblemKind
{
    /// <summary>Empty file, unknown kind, caption where Meta allows none, caption too long.</summary>
    Invalid,

    /// <summary>A MIME type Meta does not take for that kind (error 131053 at Meta).</summary>
    UnsupportedType,

    /// <summary>Over Meta's limit for the kind.</summary>
    TooLarge,
}

public sealed record AttachmentProblem(AttachmentProblemKind Kind, string Reason);

/// <summary>
/// Meta's media facts as rules (reference §12): which MIME types each kind takes and how large it may be, which kinds
/// carry a caption, how long a webhook media id can be downloaded, and the file name an agent downloads. Pure.
/// </summary>
public static class MediaRules
{
    public const int MaxCaptionLength = 1024;

    /// <summary>Webhook media ids can be downloaded for 7 days.</summary>
    public static readonly TimeSpan InboundIdLifetime = TimeSpan.FromDays(7);

    public static readonly IReadOnlyList<MediaKindLimits> Limits =
    [
        new(MediaKind.Image, ["image/jpeg", "image/png"], 5 * 1024 * 1024, CaptionAllowed: true),
        new(MediaKind.Video, ["video/mp4", "video/3gpp"], 16 * 1024 * 1024, CaptionAllowed: true),
        new(MediaKind.Audio, ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"], 16 * 1024 * 1024, CaptionAllowed: false),
        new(MediaKind.Document,
            ["text/plain", "application/pdf", "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation"],
            100 * 1024 * 1024, CaptionAllowed: true),
        new(MediaKind.Sticker, ["image/webp"], 500 * 1024, CaptionAllowed: false),
    ];

    /// <summary>The largest file of any kind (a document): what an upload or a download may be at most.</summary>
    public static long MaxBytesOfAnyKind => Limits.Max(l => l.MaxBytes);

    /// <summary>
    /// The largest attachment request an agent may send: the largest file and 64 KiB of multipart form around it (boundaries,
    /// part headers, caption, replyTo). The Function App's host must admit it too (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT in infra/).
    /// </summary>
    public static long MaxAttachmentRequestBytes => MaxBytesOfAnyKind + 64 * 1024;

    public static MediaKindLimits For(MediaKind kind) => Limits.First(l => l.Kind == kind);

    /// <summary>Meta's <c>type</c> name ("image", "audio"…).</summary>
    public static string WireName(this MediaKind kind) => kind.ToString().ToLowerInvariant();

    public static bool TryParseKind(string? type, out MediaKind kind)
    {
        foreach (var candidate in Enum.GetValues<MediaKind>())
        {
            if (string.Equals(type, candidate.WireName(), StringComparison.Ordinal))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>The MIME type without parameters, lower case: "audio/ogg; codecs=opus" → "audio/ogg".</summary>
    public static string BaseMimeType(string? contentType) =>
        (contentType ?? "").Split(';', 2)[0].Trim().ToLowerInvariant();

    /// <summary>The kind an agent's file is sent as, from its MIME type (stickers are never sent by agents); null when Meta takes none.</summary>
    public static MediaKind? OutboundKindOf(string? contentType)
    {
        var mime = BaseMimeType(contentType);
        return Limits.FirstOrDefault(l => l.Kind != MediaKind.Sticker && l.MimeTypes.Contains(mime))?.Kind;
    }

    /// <summary>
    /// Checks an attachment an agent wants to send as <paramref name="kind"/> (inside the window; that is decided elsewhere).
    /// Null when Meta would take it.
    /// </summary>
    public static AttachmentProblem? CheckOutbound(MediaKind kind, string? contentType, long length, string? caption)
    {
        var limits = For(kind);
        if (kind == MediaKind.Sticker)
        {
            return new AttachmentProblem(AttachmentProblemKind.Invalid, "Stickers are not sent by agents.");
        }

        if (length <= 0)
        {
            return new AttachmentProblem(AttachmentProblemKind.Invalid, "The file is empty.");
        }

        var mime = BaseMimeType(contentType);
        if (!limits.MimeTypes.Contains(mime))
        {
            return new AttachmentProblem(AttachmentProblemKind.UnsupportedType,
                $"WhatsApp does not take '{mime}' as {kind.WireName()}; accepted: {string.Join(", ", limits.MimeTypes)}.");
        }

        if (length > limits.MaxBytes)
        {
            return new AttachmentProblem(AttachmentProblemKind.TooLarge,
                string.Create(CultureInfo.InvariantCulture, $"The file has {length} bytes; WhatsApp takes at most {limits.MaxBytes} bytes for {kind.WireName()}."));
        }

        if (caption is not null && !limits.CaptionAllowed)
        {
            return new AttachmentProblem(AttachmentProblemKind.Invalid, $"WhatsApp does not take a caption on {kind.WireName()}.");
        }

        if (caption is { Length: > MaxCaptionLength })
        {
            return new AttachmentProblem(AttachmentProblemKind.Invalid, $"The caption is longer than {MaxCaptionLength} characters.");
        }

        return null;
    }

    /// <summary>A safe file name for a download: the sender's name when one came (path parts and control characters removed), else "{stem}.{extension}".</summary>
    public static string FileName(MediaKind kind, string? contentType, string? givenName, string stem)
    {
        if (!string.IsNullOrWhiteSpace(givenName))
        {
            var last = givenName.Split('/', '\\')[^1];
            var name = new string(last.Where(c => !char.IsControl(c) && c != '"').ToArray()).Trim().TrimStart('.');
            if (name.Length > 0)
            {
                return name.Length <= 200 ? name : name[^200..];
            }
        }

        return stem + "." + Extension(kind, contentType);
    }

    public static string Extension(MediaKind kind, string? contentType) => BaseMimeType(contentType) switch
    {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        _ => kind == MediaKind.Document ? "bin" : kind.WireName(),
    };
}
