using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Smartspace.Core.Phones;
using Smartspace.Core.Templates;
using Smartspace.Meta.Options;

namespace Smartspace.Meta.Sandbox;

/// <summary>Body of <c>POST /sandbox/customers/messages</c>: what a simulated customer sends on a channel.</summary>
/// <param name="Type">text (default), image, video, audio, document, sticker, location, contacts, button, interactive, reaction, unsupported.</param>
/// <param name="UserId">The customer's BSUID; a stable one is derived from the number when absent.</param>
/// <param name="ReplyTo">wamid the message replies/reacts to; defaults to our last message to this customer for button and reaction.</param>
/// <param name="MediaBase64">The file of an image, audio, video, document or sticker (base64); a small generated file when absent.</param>
/// <param name="MimeType">Its MIME type; the kind's usual one when absent.</param>
/// <param name="FileName">A document's file name.</param>
public sealed record SimulatedCustomerMessage(
    string? PhoneNumberId, string? From, string? Name, string? Text, string? Type = null, string? UserId = null, string? ReplyTo = null,
    string? MediaBase64 = null, string? MimeType = null, string? FileName = null);

/// <summary>Body of <c>POST /sandbox/templates/{name}/status</c>.</summary>
public sealed record SandboxTemplateStatusChange(string? Status, string? Language = null, string? Reason = null);

/// <summary>Customer simulator and sandbox administration.</summary>
internal static class SandboxCustomerEndpoints
{
    public static async Task<IResult> CustomerMessageAsync(
        HttpContext context,
        MetaSandbox sandbox,
        SandboxMediaStore media,
        SandboxWebhookDispatcher dispatcher,
        IOptionsMonitor<MetaOptions> meta,
        IOptions<MetaSandboxOptions> options,
        TimeProvider time)
    {
        SimulatedCustomerMessage? input;
        try
        {
            input = await JsonSerializer.DeserializeAsync<SimulatedCustomerMessage>(context.Request.Body, SandboxPayloads.Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.Problem(detail: "Malformed JSON.", statusCode: StatusCodes.Status400BadRequest);
        }

        var from = MetaSandbox.Digits(input?.From ?? "");
        var type = string.IsNullOrWhiteSpace(input?.Type) ? "text" : input.Type.Trim().ToLowerInvariant();
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(input?.PhoneNumberId))
        {
            errors.Add("phoneNumberId is required.");
        }

        if (!CustomerKey.TryFromWaId(from, out _))
        {
            errors.Add("from must be the customer's WhatsApp number (8–15 digits).");
        }

        if (type == "text" && string.IsNullOrEmpty(input?.Text))
        {
            errors.Add("text is required for a text message.");
        }

        byte[]? file = null;
        if (!string.IsNullOrEmpty(input?.MediaBase64))
        {
            try
            {
                file = Convert.FromBase64String(input.MediaBase64);
            }
            catch (FormatException)
            {
                errors.Add("mediaBase64 is not base64.");
            }
        }

        if (errors.Count > 0)
        {
            return Results.Problem(detail: string.Join(" ", errors), statusCode: StatusCodes.Status400BadRequest);
        }

        var o = options.Value;
        var phoneNumberId = input!.PhoneNumberId!.Trim();
        var display = o.DisplayPhoneNumbers.GetValueOrDefault(phoneNumberId, o.DefaultDisplayPhoneNumber);
        var now = time.GetUtcNow();
        if (from.Length == 12 && from.StartsWith("55", StringComparison.Ordinal) && from[4] is >= '6' and <= '9')
        {
            sandbox.MarkOldAccount(from); // a 12-digit mobile wa_id is an account from before the ninth digit (P6)
        }

        sandbox.RecordInbound(phoneNumberId, from, now);
        var wamid = SandboxWamid.New(from, outbound: false);
        var userId = string.IsNullOrWhiteSpace(input.UserId) ? DerivedUserId(from) : input.UserId.Trim();
        var message = new JsonObject
        {
            ["from"] = from,
            ["from_user_id"] = userId,
            ["id"] = wamid,
            ["timestamp"] = SandboxPayloads.UnixSeconds(now),
        };
        SandboxMediaItem? item = null;
        if (type is "image" or "video" or "document" or "audio" or "sticker")
        {
            var mime = string.IsNullOrWhiteSpace(input.MimeType) ? DefaultMime(type) : input.MimeType.Trim();
            item = media.Add(phoneNumberId, mime, file ?? Encoding.UTF8.GetBytes("sandbox " + type + " " + (input.Text ?? "")), uploaded: false, now,
                type == "document" ? input.FileName ?? "documento.pdf" : null);
        }

        FillMessage(message, type, input.Text, input.ReplyTo ?? sandbox.LastOutboundWamid(phoneNumberId, from), input.ReplyTo is not null, display, item);

        var body = SandboxPayloads.MessagesChange(o.WabaId, phoneNumberId, display, value =>
        {
            value["contacts"] = new JsonArray(new JsonObject
            {
                ["profile"] = new JsonObject { ["name"] = string.IsNullOrWhiteSpace(input.Name) ? from : input.Name },
                ["wa_id"] = from,
                ["user_id"] = userId,
            });
            value["messages"] = new JsonArray(message);
        });

        var url = SandboxGraphEndpoints.WebhookUrl(context, meta.CurrentValue, o);
        var status = await dispatcher.PostAsync(url, "message:" + message["type"], body, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new { wamid, mediaId = item?.Id, webhookStatus = status, webhookUrl = url.ToString() }, SandboxPayloads.Json);
    }

    public static async Task<IResult> TemplateStatusAsync(
        HttpContext context,
        string name,
        MetaSandbox sandbox,
        SandboxWebhookDispatcher dispatcher,
        IOptionsMonitor<MetaOptions> meta,
        IOptions<MetaSandboxOptions> options,
        TimeProvider time)
    {
        SandboxTemplateStatusChange? change;
        try
        {
            change = await JsonSerializer.DeserializeAsync<SandboxTemplateStatusChange>(context.Request.Body, SandboxPayloads.Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.Problem(detail: "Malformed JSON.", statusCode: StatusCodes.Status400BadRequest);
        }

        var status = TemplateStatusNames.Parse(change?.Status);
        if (status == TemplateStatus.Unknown)
        {
            return Results.Problem(detail: "status must be APPROVED, PENDING, REJECTED, PAUSED, DISABLED, …", statusCode: StatusCodes.Status400BadRequest);
        }

        var changed = sandbox.SetTemplateStatus(name, change!.Language, status);
        if (changed.Count == 0)
        {
            return Results.Problem(detail: $"No template named {name}.", statusCode: StatusCodes.Status404NotFound);
        }

        var url = SandboxGraphEndpoints.WebhookUrl(context, meta.CurrentValue, options.Value);
        var results = new List<object>();
        foreach (var template in changed)
        {
            var body = SandboxPayloads.TemplateStatusUpdate(options.Value.WabaId, time.GetUtcNow(), template, change.Reason ?? "NONE");
            var webhookStatus = await dispatcher.PostAsync(url, "template_status", body, context.RequestAborted).ConfigureAwait(false);
            results.Add(new { name = template.Name, language = template.Language, status = TemplateStatusNames.ToMetaName(template.Status), webhookStatus });
        }

        return Results.Json(results, SandboxPayloads.Json);
    }

    private static string DefaultMime(string type) => type switch
    {
        "image" => "image/jpeg",
        "video" => "video/mp4",
        "audio" => "audio/ogg; codecs=opus",
        "sticker" => "image/webp",
        _ => "application/pdf",
    };

    private static void FillMessage(JsonObject message, string type, string? text, string? replyTo, bool explicitReply, string display, SandboxMediaItem? item = null)
    {
        JsonObject Media(string mime) => new()
        {
            ["mime_type"] = item?.MimeType ?? mime,
            ["sha256"] = item?.Sha256Base64 ?? Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text ?? type))),
            ["id"] = item?.Id ?? SandboxWamid.NewMediaId(),
        };

        JsonObject Context() => new() { ["from"] = display, ["id"] = replyTo ?? "" };
        if (explicitReply && type is not ("text" or "button" or "interactive" or "reaction"))
        {
            message["context"] = Context();
        }

        switch (type)
        {
            case "text":
                if (explicitReply)
                {
                    message["context"] = Context();
                }

                message["type"] = "text";
                message["text"] = new JsonObject { ["body"] = text };
                break;
            case "image" or "video" or "document":
                var media = Media(type switch { "image" => "image/jpeg", "video" => "video/mp4", _ => "application/pdf" });
                if (!string.IsNullOrEmpty(text))
                {
                    media["caption"] = text;
                }

                if (type == "document")
                {
                    media["filename"] = item?.FileName ?? "documento.pdf";
                }

                message["type"] = type;
                message[type] = media;
                break;
            case "audio":
                var audio = Media("audio/ogg; codecs=opus");
                audio["voice"] = true;
                message["type"] = "audio";
                message["audio"] = audio;
                break;
            case "sticker":
                var sticker = Media("image/webp");
                sticker["animated"] = false;
                message["type"] = "sticker";
                message["sticker"] = sticker;
                break;
            case "location":
                message["type"] = "location";
                message["location"] = new JsonObject
                {
                    ["latitude"] = -23.561414,
                    ["longitude"] = -46.655881,
                    ["name"] = string.IsNullOrEmpty(text) ? "Avenida Paulista" : text,
                    ["address"] = "Av. Paulista, 1578 - Bela Vista, São Paulo - SP",
                };
                break;
            case "contacts":
                var contactName = string.IsNullOrEmpty(text) ? "Ana Lima" : text;
                message["type"] = "contacts";
                message["contacts"] = new JsonArray(new JsonObject
                {
                    ["name"] = new JsonObject { ["formatted_name"] = contactName, ["first_name"] = contactName.Split(' ')[0] },
                    ["phones"] = new JsonArray(new JsonObject { ["phone"] = "+5511912345678", ["wa_id"] = "5511912345678", ["type"] = "CELL" }),
                });
                break;
            case "button":
                message["context"] = Context();
                message["type"] = "button";
                message["button"] = new JsonObject { ["payload"] = text ?? "", ["text"] = text ?? "" };
                break;
            case "interactive":
                message["context"] = Context();
                message["type"] = "interactive";
                message["interactive"] = new JsonObject
                {
                    ["type"] = "button_reply",
                    ["button_reply"] = new JsonObject { ["id"] = "button_1", ["title"] = text ?? "" },
                };
                break;
            case "reaction":
                message["type"] = "reaction";
                var reaction = new JsonObject { ["message_id"] = replyTo ?? "" };
                if (!string.IsNullOrEmpty(text))
                {
                    reaction["emoji"] = text; // absent emoji = reaction removed
                }

                message["reaction"] = reaction;
                break;
            default:
                message["errors"] = new JsonArray(SandboxPayloads.Error(131051, "Message type unknown", "Message type is currently not supported."));
                message["type"] = "unsupported";
                message["unsupported"] = new JsonObject { ["type"] = type == "unsupported" ? "edit" : type };
                break;
        }
    }

    /// <summary>A stable BSUID per customer (opaque to the product; BR. + 16 digits).</summary>
    private static string DerivedUserId(string from)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("smartspace-sandbox:" + from));
        var number = BitConverter.ToUInt64(hash, 0) % 10_000_000_000_000_000UL;
        return "BR." + number.ToString("D16", CultureInfo.InvariantCulture);
    }
}
