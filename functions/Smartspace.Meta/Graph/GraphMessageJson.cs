using System.Text.Encodings.Web;
using System.Text.Json;
using Smartspace.Core.Templates;
using Smartspace.Meta.Sending;

namespace Smartspace.Meta.Graph;

/// <summary>
/// Builds the exact <c>POST /{phone-number-id}/messages</c> bodies of Meta's documentation (reference §9–10),
/// property order included. Pure.
/// </summary>
internal static class GraphMessageJson
{
    // Accents and '+' are written as they are (JSON-equivalent to escaping, easier to read in logs and the sandbox).
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Build(OutboundRequest request)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("messaging_product", "whatsapp");
            w.WriteString("recipient_type", "individual");
            w.WriteString("to", ToWithPlus(request.ToE164));
            if (request.ReplyToWamid is { } replyTo)
            {
                w.WriteStartObject("context");
                w.WriteString("message_id", replyTo);
                w.WriteEndObject();
            }

            if (request.Media is { } media)
            {
                w.WriteString("type", media.Kind);
                w.WriteStartObject(media.Kind);
                w.WriteString("id", media.MediaId);
                if (media.Caption is not null)
                {
                    w.WriteString("caption", media.Caption);
                }

                if (media.FileName is not null)
                {
                    w.WriteString("filename", media.FileName);
                }

                w.WriteEndObject();
            }
            else if (request.Reaction is { } reaction)
            {
                w.WriteString("type", "reaction");
                w.WriteStartObject("reaction");
                w.WriteString("message_id", reaction.MessageWamid);
                w.WriteString("emoji", reaction.Emoji);
                w.WriteEndObject();
            }
            else if (request.Template is { } template)
            {
                w.WriteString("type", "template");
                WriteTemplate(w, template, request.Parameters ?? TemplateParameters.Empty);
            }
            else
            {
                w.WriteString("type", "text");
                w.WriteStartObject("text");
                w.WriteBoolean("preview_url", false);
                w.WriteString("body", request.Text);
                w.WriteEndObject();
            }

            w.WriteString("biz_opaque_callback_data", request.OurMessageId);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Meta prepends the business number's country code when <c>+</c> is missing: always send it.</summary>
    public static string ToWithPlus(string number)
    {
        var trimmed = number.Trim();
        return trimmed.StartsWith('+') ? trimmed : "+" + trimmed;
    }

    private static void WriteTemplate(Utf8JsonWriter w, MessageTemplate template, TemplateParameters parameters)
    {
        var named = template.ParameterFormat == TemplateParameterFormat.Named;
        w.WriteStartObject("template");
        w.WriteString("name", template.Name);
        w.WriteStartObject("language");
        w.WriteString("code", template.Language);
        w.WriteEndObject();

        var components = new List<Action>();
        if (parameters.HeaderMedia is { } media)
        {
            var kind = template.Header switch
            {
                TemplateHeader.Video => "video",
                TemplateHeader.Document => "document",
                _ => "image",
            };
            components.Add(() =>
            {
                w.WriteStartObject();
                w.WriteString("type", "header");
                w.WriteStartArray("parameters");
                w.WriteStartObject();
                w.WriteString("type", kind);
                w.WriteStartObject(kind);
                if (media.MediaId is not null)
                {
                    w.WriteString("id", media.MediaId);
                }
                else
                {
                    w.WriteString("link", media.Link);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        else if (parameters.HeaderText is { } headerText)
        {
            var variable = (template.Header as TemplateHeader.Text)?.Variable;
            components.Add(() =>
            {
                w.WriteStartObject();
                w.WriteString("type", "header");
                w.WriteStartArray("parameters");
                WriteTextParameter(w, named ? variable : null, headerText);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        var body = BodyParameters(template, parameters, named);
        if (body.Count > 0)
        {
            components.Add(() =>
            {
                w.WriteStartObject();
                w.WriteString("type", "body");
                w.WriteStartArray("parameters");
                foreach (var (name, value) in body)
                {
                    WriteTextParameter(w, name, value);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        foreach (var (index, value) in parameters.UrlButtonValues.OrderBy(p => p.Key))
        {
            components.Add(() =>
            {
                w.WriteStartObject();
                w.WriteString("type", "button");
                w.WriteString("sub_type", "url");
                w.WriteString("index", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
                w.WriteStartArray("parameters");
                WriteTextParameter(w, null, value);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }

        if (components.Count > 0)
        {
            w.WriteStartArray("components");
            foreach (var write in components)
            {
                write();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static List<(string? Name, string Value)> BodyParameters(MessageTemplate template, TemplateParameters parameters, bool named)
    {
        if (!named)
        {
            return parameters.BodyPositional.Select(v => ((string?)null, v)).ToList();
        }

        // Named parameters may go in any order; template order keeps the body deterministic.
        var order = template.BodyVariables;
        return parameters.BodyNamed
            .OrderBy(p => order.Contains(p.Key) ? IndexOf(order, p.Key) : int.MaxValue)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => ((string?)p.Key, p.Value))
            .ToList();
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == item)
            {
                return i;
            }
        }

        return -1;
    }

    private static void WriteTextParameter(Utf8JsonWriter w, string? parameterName, string value)
    {
        w.WriteStartObject();
        w.WriteString("type", "text");
        if (parameterName is not null)
        {
            w.WriteString("parameter_name", parameterName);
        }

        w.WriteString("text", value);
        w.WriteEndObject();
    }
}
