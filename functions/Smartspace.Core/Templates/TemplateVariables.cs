using System.Text.RegularExpressions;

namespace Smartspace.Core.Templates;

/// <summary>Finds <c>{{1}}</c> / <c>{{first_name}}</c> placeholders in template text.</summary>
public static partial class TemplateVariables
{
    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", RegexOptions.CultureInvariant)]
    internal static partial Regex Placeholder();

    /// <summary>Distinct variable names in order of first appearance.</summary>
    public static IReadOnlyList<string> Extract(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var seen = new List<string>();
        foreach (Match match in Placeholder().Matches(text))
        {
            var name = match.Groups[1].Value;
            if (!seen.Contains(name, StringComparer.Ordinal))
            {
                seen.Add(name);
            }
        }

        return seen;
    }

    /// <summary>Replaces each placeholder whose name <paramref name="valueOf"/> knows; leaves the others as written.</summary>
    public static string Fill(string text, Func<string, string?> valueOf) =>
        Placeholder().Replace(text, m => valueOf(m.Groups[1].Value) ?? m.Value);
}
