namespace Smartspace.Core.Templates;

/// <summary>What the agent (and later the history) sees of a template message before/after it is sent.</summary>
public sealed record TemplatePreview(
    string TemplateName,
    string Language,
    TemplateHeader Header,
    string? HeaderText,
    string? HeaderMediaUrl,
    string? HeaderMediaId,
    string Body,
    string? Footer,
    IReadOnlyList<TemplateButton> Buttons)
{
    /// <summary>Header text, body and footer joined by blank lines — the text recorded in the chat history.</summary>
    public string ToPlainText() =>
        string.Join("\n\n", new[] { HeaderText, Body, Footer }.Where(s => !string.IsNullOrEmpty(s)));
}

/// <summary>Fills a template with parameters. Variables without a value stay as written (<c>{{2}}</c>), so a
/// half-filled preview shows the agent what is still missing.</summary>
public static class TemplateRenderer
{
    public static TemplatePreview Render(MessageTemplate template, TemplateParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(parameters);

        Func<string, string?> bodyValue = template.ParameterFormat == TemplateParameterFormat.Positional
            ? name => PositionalValue(template.BodyVariables, parameters.BodyPositional, name)
            : name => parameters.BodyNamed.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;

        string? headerText = null;
        if (template.Header is TemplateHeader.Text text)
        {
            headerText = TemplateVariables.Fill(text.Value, _ => string.IsNullOrEmpty(parameters.HeaderText) ? null : parameters.HeaderText);
        }

        string? mediaUrl = null;
        string? mediaId = null;
        if (template.Header.IsMedia)
        {
            mediaUrl = parameters.HeaderMedia?.Link;
            mediaId = parameters.HeaderMedia?.MediaId;
            if (parameters.HeaderMedia is null)
            {
                mediaUrl = template.Header switch
                {
                    TemplateHeader.Image image => image.ExampleLink,
                    TemplateHeader.Video video => video.ExampleLink,
                    TemplateHeader.Document document => document.ExampleLink,
                    _ => null,
                };
            }
        }

        var buttons = template.Buttons
            .Select((b, i) => b.HasUrlVariable && parameters.UrlButtonValues.TryGetValue(i, out var v)
                ? b with { Url = TemplateVariables.Fill(b.Url!, _ => v) }
                : b)
            .ToArray();

        return new TemplatePreview(
            template.Name,
            template.Language,
            template.Header,
            headerText,
            mediaUrl,
            mediaId,
            TemplateVariables.Fill(template.BodyText, bodyValue),
            template.FooterText,
            buttons);
    }

    private static string? PositionalValue(IReadOnlyList<string> variables, IReadOnlyList<string> values, string name)
    {
        // {{1}} is the first value whatever order the placeholders appear in; fall back to order of appearance
        // for templates whose placeholders are not numbers.
        var index = int.TryParse(name, out var n) ? n - 1 : IndexOf(variables, name);
        return index >= 0 && index < values.Count && !string.IsNullOrEmpty(values[index]) ? values[index] : null;
    }

    private static int IndexOf(IReadOnlyList<string> list, string item)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], item, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
