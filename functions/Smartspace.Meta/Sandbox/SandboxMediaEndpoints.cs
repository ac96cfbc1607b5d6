using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smartspace.Core.Media;
using Smartspace.Meta.Options;

namespace Smartspace.Meta.Sandbox;

/// <summary>The fake Graph API's media: <c>POST /{phone-number-id}/media</c>, <c>GET /{media-id}</c> and the short-lived download URL.</summary>
internal static class SandboxMediaEndpoints
{
    public static async Task<IResult> UploadAsync(HttpContext context, string version, string phoneNumberId, SandboxMediaStore media,
        IOptionsMonitor<MetaOptions> meta, TimeProvider time)
    {
        if (!SandboxGraphEndpoints.IsAuthorized(context, meta.CurrentValue))
        {
            return SandboxGraphEndpoints.InvalidToken();
        }

        if (!context.Request.HasFormContentType)
        {
            return Refuse(400, 100, "Invalid parameter", "The upload must be multipart/form-data.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form["messaging_product"].ToString() != "whatsapp")
        {
            return Refuse(400, 100, "The parameter messaging_product is required.", null);
        }

        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return Refuse(400, 100, "The parameter file is required.", null);
        }

        var mime = MediaRules.BaseMimeType(string.IsNullOrEmpty(form["type"]) ? file.ContentType : form["type"].ToString());
        var kind = MediaRules.Limits.FirstOrDefault(l => l.MimeTypes.Contains(mime));
        if (kind is null)
        {
            return Refuse(400, 131053, "Media upload error", $"Unsupported file type {mime}.");
        }

        if (file.Length == 0 || file.Length > kind.MaxBytes)
        {
            return Refuse(400, 131053, "Media upload error",
                string.Create(CultureInfo.InvariantCulture, $"The file has {file.Length} bytes; {kind.Kind.WireName()} takes 1 to {kind.MaxBytes}."));
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var item = media.Add(phoneNumberId, mime, buffer.ToArray(), uploaded: true, time.GetUtcNow(), file.FileName);
        return SandboxGraphEndpoints.Graph(new JsonObject { ["id"] = item.Id }, StatusCodes.Status200OK);
    }

    public static IResult Lookup(HttpContext context, string version, string mediaId, SandboxMediaStore media, IOptionsMonitor<MetaOptions> meta, TimeProvider time)
    {
        if (!SandboxGraphEndpoints.IsAuthorized(context, meta.CurrentValue))
        {
            return SandboxGraphEndpoints.InvalidToken();
        }

        var now = time.GetUtcNow();
        var item = media.Find(mediaId, now);
        var phoneNumberId = context.Request.Query["phone_number_id"].ToString();
        if (item is null || (phoneNumberId.Length > 0 && phoneNumberId != item.PhoneNumberId))
        {
            media.Record(new SandboxMediaRequest("lookup", mediaId, 404, now));
            return Refuse(404, 100, $"Unsupported get request. Object with ID '{mediaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.", null);
        }

        media.Record(new SandboxMediaRequest("lookup", mediaId, 200, now));
        var token = media.NewUrlToken(mediaId, now);
        var request = context.Request;
        var prefix = request.PathBase + request.Path.Value![..request.Path.Value!.IndexOf("/graph/", StringComparison.Ordinal)];
        return SandboxGraphEndpoints.Graph(new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["url"] = $"{request.Scheme}://{request.Host}{prefix}/media-download/{token}",
            ["mime_type"] = item.MimeType,
            ["sha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(item.Content)).ToLowerInvariant(),
            ["file_size"] = item.Content.Length.ToString(CultureInfo.InvariantCulture),
            ["id"] = item.Id,
        }, StatusCodes.Status200OK);
    }

    public static async Task<IResult> DownloadAsync(HttpContext context, string token, SandboxMediaStore media, IOptionsMonitor<MetaOptions> meta, TimeProvider time)
    {
        if (!SandboxGraphEndpoints.IsAuthorized(context, meta.CurrentValue))
        {
            return SandboxGraphEndpoints.InvalidToken();
        }

        await media.WaitWhileHeldAsync(context.RequestAborted).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var item = media.ResolveUrl(token, now);
        if (item is null)
        {
            media.Record(new SandboxMediaRequest("download", "", 404, now));
            return Refuse(404, 100, "The URL has expired or does not exist.", null);
        }

        media.Record(new SandboxMediaRequest("download", item.Id, 200, now));
        return Results.Bytes(item.Content, item.MimeType);
    }

    private static IResult Refuse(int status, int code, string message, string? details) =>
        SandboxGraphEndpoints.Graph(SandboxPayloads.GraphError(code, message, details), status);
}
