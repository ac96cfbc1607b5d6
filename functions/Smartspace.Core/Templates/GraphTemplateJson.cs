using System.Text.Json;

namespace Smartspace.Core.Templates;

/// <summary>
/// Reads and writes a template in the Graph API shape returned by
/// <c>GET /{version}/{waba-id}/message_templates</c>: <c>{id,name,language,status,category,parameter_format,
/// components:[{type:HEADER|BODY|FOOTER|BUTTONS, format, text, example, buttons}]}</c>.
/// Pure: no I/O. Meta's wire names stay in this file.
/// </summary>
public static class GraphTemplateJson
{
    /// <summary>Parses one template object; false when it lacks a name, a language or a body.</summary>
    public static bool TryParse(JsonElement element, out MessageTemplate? template)
    {
        template = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var name = ReadString(element, "name");
        var language = ReadString(element, "language");
        if (string.IsNullOrWhiteSpace(name) || string.IsNullOrWhiteSpace(language))
        {
            return false;
        }

        TemplateHeader header = TemplateHeader.None.Instance;
        string? body = null;
        string? footer = null;
        var buttons = new List<TemplateButton>();
        if (element.TryGetProperty("components", out var components) && components.ValueKind == JsonValueKind.Array)
        {
            foreach (var component in components.EnumerateArray())
            {
                switch (ReadString(component, "type")?.ToUpperInvariant())
                {
                    case "HEADER":
                        header = ParseHeader(component);
                        break;
                    case "BODY":
                        body = ReadString(component, "text");
                        break;
                    case "FOOTER":
                        footer = ReadString(component, "text");
                        break;
                    case "BUTTONS":
                        if (component.TryGetProperty("buttons", out var list) && list.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var b in list.EnumerateArray())
                            {
                                buttons.Add(new TemplateButton(
                                    ReadString(b, "type")?.ToUpperInvariant() ?? "UNKNOWN",
                                    ReadString(b, "text") ?? "",
                                    ReadString(b, "url"),
                                    ReadString(b, "phone_number")));
                            }
                        }

                        break;
                }
            }
        }

        if (body is null)
        {
            return false;
        }

        var format = ReadString(element, "parameter_format")?.ToUpperInvariant() switch
        {
            "NAMED" => TemplateParameterFormat.Named,
            "POSITIONAL" => TemplateParameterFormat.Positional,
            // Older answers omit the field: infer it from the placeholders themselves.
            _ => TemplateVariables.Extract(body).Any(v => !v.All(char.IsAsciiDigit)) ? TemplateParameterFormat.Named : TemplateParameterFormat.Positional,
        };

        template = new MessageTemplate(
            ReadString(element, "id") ?? "",
            name,
            TemplateStatusNames.NormalizeLanguage(language),
            ReadString(element, "category")?.ToUpperInvariant() ?? "",
            TemplateStatusNames.Parse(ReadString(element, "status")),
            format,
            header,
            body,
            footer,
            buttons);
        return true;
    }

    /// <summary>Parses the <c>data</c> array of a list page; objects that are not templates are skipped.</summary>
    public static IReadOnlyList<MessageTemplate> ParseMany(JsonElement data)
    {
        var result = new List<MessageTemplate>();
        if (data.ValueKind != JsonValueKind.Array)
        {
            return result;
        }

        foreach (var item in data.EnumerateArray())
        {
            if (TryParse(item, out var template))
            {
                result.Add(template!);
            }
        }

        return result;
    }

    /// <summary>Writes the template in the Graph API shape (what the Meta sandbox serves).</summary>
    public static void Write(Utf8JsonWriter writer, MessageTemplate template)
    {
        writer.WriteStartObject();
        writer.WriteString("name", template.Name);
        writer.WriteString("parameter_format", template.ParameterFormat == TemplateParameterFormat.Named ? "NAMED" : "POSITIONAL");
        writer.WriteStartArray("components");

        switch (template.Header)
        {
            case TemplateHeader.Text text:
                writer.WriteStartObject();
                writer.WriteString("type", "HEADER");
                writer.WriteString("format", "TEXT");
                writer.WriteString("text", text.Value);
                writer.WriteEndObject();
                break;
            case TemplateHeader.Image image:
                WriteMediaHeader(writer, "IMAGE", image.ExampleLink);
                break;
            case TemplateHeader.Video video:
                WriteMediaHeader(writer, "VIDEO", video.ExampleLink);
                break;
            case TemplateHeader.Document document:
                WriteMediaHeader(writer, "DOCUMENT", document.ExampleLink);
                break;
            case TemplateHeader.Location:
                WriteMediaHeader(writer, "LOCATION", null);
                break;
            case TemplateHeader.Unsupported unsupported:
                WriteMediaHeader(writer, unsupported.Format, null);
                break;
        }

        writer.WriteStartObject();
        writer.WriteString("type", "BODY");
        writer.WriteString("text", template.BodyText);
        writer.WriteEndObject();

        if (template.FooterText is not null)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "FOOTER");
            writer.WriteString("text", template.FooterText);
            writer.WriteEndObject();
        }

        if (template.Buttons.Count > 0)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "BUTTONS");
            writer.WriteStartArray("buttons");
            foreach (var button in template.Buttons)
            {
                writer.WriteStartObject();
                writer.WriteString("type", button.Type);
                writer.WriteString("text", button.Text);
                if (button.Url is not null)
                {
                    writer.WriteString("url", button.Url);
                }

                if (button.PhoneNumber is not null)
                {
                    writer.WriteString("phone_number", button.PhoneNumber);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("language", template.Language);
        writer.WriteString("status", TemplateStatusNames.ToMetaName(template.Status));
        writer.WriteString("category", template.Category);
        writer.WriteString("id", template.Id);
        writer.WriteEndObject();
    }

    private static void WriteMediaHeader(Utf8JsonWriter writer, string format, string? exampleLink)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "HEADER");
        writer.WriteString("format", format);
        if (exampleLink is not null)
        {
            writer.WriteStartObject("example");
            writer.WriteStartArray("header_handle");
            writer.WriteStringValue(exampleLink);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static TemplateHeader ParseHeader(JsonElement component)
    {
        var format = ReadString(component, "format")?.ToUpperInvariant() ?? "TEXT";
        var example = ReadExampleHandle(component);
        return format switch
        {
            "TEXT" => new TemplateHeader.Text(ReadString(component, "text") ?? ""),
            "IMAGE" => new TemplateHeader.Image(example),
            "VIDEO" => new TemplateHeader.Video(example),
            "DOCUMENT" => new TemplateHeader.Document(example),
            "LOCATION" => new TemplateHeader.Location(),
            _ => new TemplateHeader.Unsupported(format),
        };
    }

    private static string? ReadExampleHandle(JsonElement component)
    {
        if (component.TryGetProperty("example", out var example)
            && example.ValueKind == JsonValueKind.Object
            && example.TryGetProperty("header_handle", out var handles)
            && handles.ValueKind == JsonValueKind.Array)
        {
            foreach (var handle in handles.EnumerateArray())
            {
                if (handle.ValueKind == JsonValueKind.String)
                {
                    return handle.GetString();
                }
            }
        }

        return null;
    }

    private static string? ReadString(JsonElement element, string property)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => bool.TrueString,
            JsonValueKind.False => bool.FalseString,
            _ => null,
        };
    }
}

