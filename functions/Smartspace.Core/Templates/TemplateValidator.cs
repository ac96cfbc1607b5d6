namespace Smartspace.Core.Templates;

public enum TemplateProblemKind
{
    /// <summary>The template is not APPROVED (P5) — Meta answers 132001, 132015 (paused) or 132016 (disabled).</summary>
    NotSendable,

    /// <summary>The header format is not one this code can fill.</summary>
    UnsupportedHeader,

    /// <summary>A body/header variable has no value (Meta 132000).</summary>
    MissingParameter,

    /// <summary>More positional values than variables (Meta 132000).</summary>
    ExtraParameter,

    /// <summary>A named value whose name is not a variable of the template (Meta 132000).</summary>
    UnknownParameter,

    /// <summary>A value is empty or blank; Meta treats it as missing.</summary>
    EmptyParameter,

    /// <summary>A value contains a new line, a tab or more than four consecutive spaces (Meta 132018).</summary>
    InvalidParameterText,

    /// <summary>The header expects IMAGE/VIDEO/DOCUMENT and none was given (Meta 132012).</summary>
    HeaderMediaMissing,

    /// <summary>Header media was given but the header is not a media header (Meta 132012).</summary>
    HeaderMediaNotExpected,

    /// <summary>A dynamic URL button has no value (Meta 132000).</summary>
    ButtonValueMissing,

    /// <summary>A button value was given for a button without a variable (Meta 132000).</summary>
    ButtonValueNotExpected,
}

/// <summary>One reason a send would be refused, with the Meta error code the send would have produced.</summary>
public sealed record TemplateProblem(TemplateProblemKind Kind, string Detail, int MetaErrorCode);

/// <summary>
/// Checks template parameters the way Meta does before anything is sent, so the agent sees the problem
/// instead of a 132000/132012 rejection (chatwoot#4995). Pure; returns every problem at once.
/// </summary>
public static class TemplateValidator
{
    public const int ParameterCountMismatch = 132000;
    public const int TemplateNotFoundOrNotApproved = 132001;
    public const int ParameterFormatMismatch = 132012;
    public const int TemplatePaused = 132015;
    public const int TemplateDisabled = 132016;
    public const int ParameterInvalidText = 132018;

    public static IReadOnlyList<TemplateProblem> Validate(MessageTemplate template, TemplateParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(parameters);
        var problems = new List<TemplateProblem>();

        if (template.Status != TemplateStatus.Approved)
        {
            var code = template.Status switch
            {
                TemplateStatus.Paused => TemplatePaused,
                TemplateStatus.Disabled => TemplateDisabled,
                _ => TemplateNotFoundOrNotApproved,
            };
            problems.Add(new(TemplateProblemKind.NotSendable,
                $"template {template.Name} ({template.Language}) is {TemplateStatusNames.ToMetaName(template.Status)}, not APPROVED", code));
        }

        ValidateHeader(template, parameters, problems);
        ValidateBody(template, parameters, problems);
        ValidateButtons(template, parameters, problems);
        return problems;
    }

    public static bool IsValid(MessageTemplate template, TemplateParameters parameters) => Validate(template, parameters).Count == 0;

    private static void ValidateHeader(MessageTemplate template, TemplateParameters parameters, List<TemplateProblem> problems)
    {
        switch (template.Header)
        {
            case TemplateHeader.Unsupported unsupported:
                problems.Add(new(TemplateProblemKind.UnsupportedHeader, $"header: format {unsupported.Format} is not supported", ParameterFormatMismatch));
                break;
            case TemplateHeader header when header.IsMedia:
                if (parameters.HeaderMedia is null)
                {
                    var expected = header switch
                    {
                        TemplateHeader.Image => "IMAGE",
                        TemplateHeader.Video => "VIDEO",
                        _ => "DOCUMENT",
                    };
                    problems.Add(new(TemplateProblemKind.HeaderMediaMissing,
                        $"header: Format mismatch, expected {expected}, received UNKNOWN", ParameterFormatMismatch));
                }

                break;
            case TemplateHeader.Text text:
                if (parameters.HeaderMedia is not null)
                {
                    problems.Add(new(TemplateProblemKind.HeaderMediaNotExpected, "header: Format mismatch, expected TEXT, received MEDIA", ParameterFormatMismatch));
                }

                if (text.Variable is { } variable)
                {
                    CheckValue($"header {{{{{variable}}}}}", parameters.HeaderText, problems);
                }
                else if (parameters.HeaderText is not null)
                {
                    problems.Add(new(TemplateProblemKind.ExtraParameter, "header: the header has no variable", ParameterCountMismatch));
                }

                break;
            default:
                if (parameters.HeaderMedia is not null)
                {
                    problems.Add(new(TemplateProblemKind.HeaderMediaNotExpected, "header: the template has no media header", ParameterFormatMismatch));
                }

                if (parameters.HeaderText is not null)
                {
                    problems.Add(new(TemplateProblemKind.ExtraParameter, "header: the template has no text header", ParameterCountMismatch));
                }

                break;
        }
    }

    private static void ValidateBody(MessageTemplate template, TemplateParameters parameters, List<TemplateProblem> problems)
    {
        var variables = template.BodyVariables;
        if (template.ParameterFormat == TemplateParameterFormat.Positional)
        {
            if (parameters.BodyNamed.Count > 0)
            {
                problems.Add(new(TemplateProblemKind.UnknownParameter,
                    $"body: named values ({string.Join(", ", parameters.BodyNamed.Keys)}) given to a positional template", ParameterCountMismatch));
            }

            var given = parameters.BodyPositional.Count;
            if (given != variables.Count)
            {
                var kind = given < variables.Count ? TemplateProblemKind.MissingParameter : TemplateProblemKind.ExtraParameter;
                problems.Add(new(kind,
                    $"body: number of localizable_params ({given}) does not match the expected number of params ({variables.Count})", ParameterCountMismatch));
            }

            for (var i = 0; i < Math.Min(given, variables.Count); i++)
            {
                CheckValue($"body {{{{{variables[i]}}}}}", parameters.BodyPositional[i], problems);
            }

            return;
        }

        if (parameters.BodyPositional.Count > 0)
        {
            problems.Add(new(TemplateProblemKind.ExtraParameter,
                $"body: {parameters.BodyPositional.Count} positional value(s) given to a named template", ParameterCountMismatch));
        }

        foreach (var name in parameters.BodyNamed.Keys.Where(k => !variables.Contains(k, StringComparer.Ordinal)))
        {
            problems.Add(new(TemplateProblemKind.UnknownParameter, $"body: unknown parameter {name}", ParameterCountMismatch));
        }

        foreach (var variable in variables)
        {
            if (!parameters.BodyNamed.TryGetValue(variable, out var value))
            {
                problems.Add(new(TemplateProblemKind.MissingParameter, $"body: missing parameter {variable}", ParameterCountMismatch));
            }
            else
            {
                CheckValue($"body {{{{{variable}}}}}", value, problems);
            }
        }
    }

    private static void ValidateButtons(MessageTemplate template, TemplateParameters parameters, List<TemplateProblem> problems)
    {
        var dynamicButtons = template.UrlButtonsWithVariable;
        foreach (var index in dynamicButtons)
        {
            if (!parameters.UrlButtonValues.TryGetValue(index, out var value))
            {
                problems.Add(new(TemplateProblemKind.ButtonValueMissing, $"button {index}: missing URL parameter", ParameterCountMismatch));
            }
            else
            {
                CheckValue($"button {index}", value, problems);
            }
        }

        foreach (var index in parameters.UrlButtonValues.Keys.Where(i => !dynamicButtons.Contains(i)))
        {
            problems.Add(new(TemplateProblemKind.ButtonValueNotExpected, $"button {index}: the button has no URL variable", ParameterCountMismatch));
        }
    }

    private static void CheckValue(string where, string? value, List<TemplateProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            problems.Add(new(TemplateProblemKind.EmptyParameter, $"{where}: the value is empty", ParameterCountMismatch));
        }
        else if (value.Contains('\n') || value.Contains('\r') || value.Contains('\t') || value.Contains("     ", StringComparison.Ordinal))
        {
            problems.Add(new(TemplateProblemKind.InvalidParameterText,
                $"{where}: the value contains a new line, a tab or more than 4 consecutive spaces", ParameterInvalidText));
        }
    }
}
