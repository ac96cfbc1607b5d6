using System.Text.Json;
using Smartspace.Core.Templates;

namespace Smartspace.Meta.Sandbox;

/// <summary>A send the sandbox takes, or the Graph error it answers instead.</summary>
internal abstract record SandboxSendCheck
{
    public sealed record Refused(int HttpStatus, int Code, string Message, string? Details) : SandboxSendCheck;

    public sealed record Valid(string Type, string ToInput, string ToDigits, string? Text, MessageTemplate? Template, string? BizOpaque) : SandboxSendCheck;
}

/// <summary>A mark-as-read body (<c>{"status":"read","message_id"}</c>, optionally <c>typing_indicator</c>), or why Meta refuses it.</summary>
internal sealed record SandboxReadReceiptCheck(string? Wamid, bool Typing, SandboxSendCheck.Refused? Refused);

/// <summary>Checks a <c>POST /messages</c> body the way the Cloud API does (reference §7, §9). Pure but for the catalog lookup.</summary>
internal static class SandboxSendEvaluator
{
    private const int MaxTextLength = 4096;

    public static SandboxSendCheck Evaluate(ReadOnlySpan<byte> body, Func<string, string, MessageTemplate?> findTemplate) =>
        Evaluate(body, findTemplate, _ => false);

    /// <summary>The body is a read receipt (it has <c>status</c>): checked like Meta checks it; null for any other body.</summary>
    public static SandboxReadReceiptCheck? ReadReceipt(ReadOnlySpan<byte> body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray());
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out _))
            {
                return null;
            }

            if (String(root, "messaging_product") != "whatsapp" || String(root, "status") != "read")
            {
                return new SandboxReadReceiptCheck(null, false, InvalidParameter("A read receipt needs messaging_product whatsapp and status read."));
            }

            var wamid = String(root, "message_id");
            if (string.IsNullOrEmpty(wamid) || !wamid.StartsWith("wamid.", StringComparison.Ordinal))
            {
                return new SandboxReadReceiptCheck(null, false, new SandboxSendCheck.Refused(400, 100, "The parameter message_id is required.", null));
            }

            var typing = root.TryGetProperty("typing_indicator", out var t);
            if (typing && String(t, "type") != "text")
            {
                return new SandboxReadReceiptCheck(null, false, InvalidParameter("typing_indicator.type must be text."));
            }

            return new SandboxReadReceiptCheck(wamid, typing, null);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static SandboxSendCheck Evaluate(ReadOnlySpan<byte> body, Func<string, string, MessageTemplate?> findTemplate, Func<string, bool> mediaExists)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException)
        {
            return InvalidParameter("Request body is not valid JSON.");
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return InvalidParameter("Request body must be a JSON object.");
            }

            var product = String(root, "messaging_product");
            if (product is null)
            {
                return new SandboxSendCheck.Refused(400, 100, "The parameter messaging_product is required.", null);
            }

            if (product != "whatsapp")
            {
                return InvalidParameter("messaging_product must be whatsapp.");
            }

            var to = String(root, "to");
            if (string.IsNullOrWhiteSpace(to))
            {
                return new SandboxSendCheck.Refused(400, 100, "The parameter to is required.", null);
            }

            var digits = MetaSandbox.Digits(to);
            if (digits.Length is < 8 or > 15 || to.Any(c => !(char.IsAsciiDigit(c) || c is '+' or ' ' or '-' or '(' or ')')))
            {
                return InvalidParameter($"to: '{to}' is not a phone number.");
            }

            var bizOpaque = String(root, "biz_opaque_callback_data");
            var type = String(root, "type") ?? "text";
            if (root.TryGetProperty("context", out var context) && string.IsNullOrEmpty(String(context, "message_id")))
            {
                return InvalidParameter("context.message_id is required when context is present.");
            }
            switch (type)
            {
                case "text":
                    var text = root.TryGetProperty("text", out var t) ? String(t, "body") : null;
                    if (string.IsNullOrEmpty(text))
                    {
                        return new SandboxSendCheck.Refused(400, 100, "The parameter text['body'] is required.", null);
                    }

                    if (text.Length > MaxTextLength)
                    {
                        return InvalidParameter($"text['body'] is longer than {MaxTextLength} characters.");
                    }

                    return new SandboxSendCheck.Valid("text", to, digits, text, null, bizOpaque);
                case "template":
                    return EvaluateTemplate(root, to, digits, bizOpaque, findTemplate);
                case "image" or "audio" or "video" or "document" or "sticker":
                    return EvaluateMedia(root, type, to, digits, bizOpaque, mediaExists);
                case "reaction":
                    if (!root.TryGetProperty("reaction", out var reaction) || reaction.ValueKind != JsonValueKind.Object
                        || string.IsNullOrEmpty(String(reaction, "message_id")))
                    {
                        return new SandboxSendCheck.Refused(400, 100, "The parameter reaction['message_id'] is required.", null);
                    }

                    if (!reaction.TryGetProperty("emoji", out var emoji) || emoji.ValueKind != JsonValueKind.String)
                    {
                        return new SandboxSendCheck.Refused(400, 100, "The parameter reaction['emoji'] is required (empty to remove).", null);
                    }

                    return new SandboxSendCheck.Valid("reaction", to, digits, emoji.GetString(), null, bizOpaque);
                default:
                    return InvalidParameter($"type '{type}' is not supported by the Smartspace sandbox (text and template are).");
            }
        }
    }

    /// <summary>Media by id (uploaded, still served) or by link; caption only where Meta takes one; filename on documents.</summary>
    private static SandboxSendCheck EvaluateMedia(JsonElement root, string type, string to, string digits, string? bizOpaque, Func<string, bool> mediaExists)
    {
        if (!root.TryGetProperty(type, out var media) || media.ValueKind != JsonValueKind.Object)
        {
            return new SandboxSendCheck.Refused(400, 100, $"The parameter {type} is required.", null);
        }

        var id = String(media, "id");
        var link = String(media, "link");
        if (string.IsNullOrEmpty(id) == string.IsNullOrEmpty(link))
        {
            return InvalidParameter($"{type} needs exactly one of id and link.");
        }

        if (id is not null && !mediaExists(id))
        {
            return new SandboxSendCheck.Refused(400, 131053, "Media upload error", $"Media id {id} does not exist or has expired.");
        }

        var caption = String(media, "caption");
        if (caption is not null && type is "audio" or "sticker")
        {
            return InvalidParameter($"{type} does not take a caption.");
        }

        if (String(media, "filename") is not null && type != "document")
        {
            return InvalidParameter($"filename is only for document, not {type}.");
        }

        return new SandboxSendCheck.Valid(type, to, digits, caption, null, bizOpaque);
    }

    private static SandboxSendCheck EvaluateTemplate(
        JsonElement root, string to, string digits, string? bizOpaque, Func<string, string, MessageTemplate?> findTemplate)
    {
        if (!root.TryGetProperty("template", out var tpl) || tpl.ValueKind != JsonValueKind.Object)
        {
            return new SandboxSendCheck.Refused(400, 100, "The parameter template is required.", null);
        }

        var name = String(tpl, "name");
        var language = tpl.TryGetProperty("language", out var lang) ? String(lang, "code") : null;
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(language))
        {
            return new SandboxSendCheck.Refused(400, 100, "The parameters template['name'] and template['language']['code'] are required.", null);
        }

        var template = findTemplate(name, language);
        if (template is null)
        {
            return new SandboxSendCheck.Refused(404, 132001, "Template name does not exist in the translation",
                $"template name ({name}) does not exist in {language}");
        }

        switch (template.Status)
        {
            case TemplateStatus.Approved:
                break;
            case TemplateStatus.Paused:
                return new SandboxSendCheck.Refused(400, 132015, "Template is Paused", $"template {name} is paused due to low quality");
            case TemplateStatus.Disabled:
                return new SandboxSendCheck.Refused(400, 132016, "Template is Disabled", $"template {name} has been disabled due to low quality");
            default:
                return new SandboxSendCheck.Refused(404, 132001, "Template name does not exist in the translation",
                    $"template name ({name}) does not exist in {language} or is not approved");
        }

        var parameters = ReadParameters(tpl);
        var problem = TemplateValidator.Validate(template, parameters)
            .Where(p => p.Kind != TemplateProblemKind.NotSendable)
            .OrderByDescending(p => p.MetaErrorCode == TemplateValidator.ParameterFormatMismatch)
            .FirstOrDefault();
        if (problem is not null)
        {
            var message = problem.MetaErrorCode switch
            {
                TemplateValidator.ParameterFormatMismatch => "Parameter format does not match format in the created template",
                TemplateValidator.ParameterInvalidText => "Parameter contains a new line, a tab or more than 4 consecutive spaces",
                _ => "Number of parameters does not match the expected number of params",
            };
            return new SandboxSendCheck.Refused(400, problem.MetaErrorCode, message, problem.Detail);
        }

        return new SandboxSendCheck.Valid("template", to, digits, TemplateRenderer.Render(template, parameters).ToPlainText(), template, bizOpaque);
    }

    /// <summary>Reads <c>template.components</c> back into <see cref="TemplateParameters"/>.</summary>
    internal static TemplateParameters ReadParameters(JsonElement tpl)
    {
        var result = TemplateParameters.Empty;
        if (!tpl.TryGetProperty("components", out var components) || components.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        var positional = new List<string>();
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        var buttons = new Dictionary<int, string>();
        foreach (var component in components.EnumerateArray())
        {
            var parameters = component.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().ToArray() : [];
            switch (String(component, "type")?.ToLowerInvariant())
            {
                case "header":
                    foreach (var parameter in parameters)
                    {
                        var kind = String(parameter, "type");
                        if (kind is "image" or "video" or "document" && parameter.TryGetProperty(kind, out var media))
                        {
                            var link = String(media, "link");
                            var id = String(media, "id");
                            if (!string.IsNullOrWhiteSpace(id))
                            {
                                result = result.WithHeaderMediaId(id);
                            }
                            else if (!string.IsNullOrWhiteSpace(link))
                            {
                                result = result.WithHeaderImageLink(link);
                            }
                        }
                        else if (kind == "text")
                        {
                            result = result with { HeaderText = String(parameter, "text") ?? "" };
                        }
                    }

                    break;
                case "body":
                    foreach (var parameter in parameters)
                    {
                        var value = TextValue(parameter);
                        if (String(parameter, "parameter_name") is { } parameterName)
                        {
                            named[parameterName] = value;
                        }
                        else
                        {
                            positional.Add(value);
                        }
                    }

                    break;
                case "button":
                    if (string.Equals(String(component, "sub_type"), "url", StringComparison.OrdinalIgnoreCase)
                        && int.TryParse(String(component, "index"), out var index) && parameters.Length > 0)
                    {
                        buttons[index] = TextValue(parameters[0]);
                    }

                    break;
            }
        }

        return result with { BodyPositional = positional, BodyNamed = named, UrlButtonValues = buttons };
    }

    private static string TextValue(JsonElement parameter)
    {
        if (String(parameter, "text") is { } text)
        {
            return text;
        }

        // currency / date_time parameters render their fallback_value.
        var kind = String(parameter, "type");
        return kind is not null && parameter.TryGetProperty(kind, out var inner) ? String(inner, "fallback_value") ?? "" : "";
    }

    private static SandboxSendCheck.Refused InvalidParameter(string details) => new(400, 100, "Invalid parameter", details);

    private static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;
}
