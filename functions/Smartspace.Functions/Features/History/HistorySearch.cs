using System.Globalization;
using System.Text;
using Smartspace.Core.Phones;

namespace Smartspace.Functions.Features.History;

/// <summary>How what an agent types in Histórico matches a finished conversation (R17), as they type it.</summary>
public static class HistorySearch
{
    /// <summary>Fewer digits than this match too many customers to be a search.</summary>
    public const int MinNumberDigits = 4;

    /// <summary>
    /// A complete number (as typed in "Para", or a <c>wa_id</c> with country code) is the customer's key, matched
    /// exactly; a shorter run of digits is the end of the number ("4321", "987654321" without the DDD).
    /// Both null: not a number.
    /// </summary>
    public static (string? CustomerKey, string? Ending) ParseNumber(string typed)
    {
        var check = BrazilianPhoneNumber.Check(typed);
        if (check.IsValid)
        {
            return (CustomerKey.FromPhone(check).Value, null);
        }

        var digits = new StringBuilder();
        foreach (var c in typed)
        {
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (c is not (' ' or '+' or '-' or '(' or ')' or '.'))
            {
                return (null, null);
            }
        }

        var all = digits.ToString();
        if (all.Length >= 12 && CustomerKey.TryFromWaId(all, out var key))
        {
            return (key.Value, null);
        }

        return all.Length >= MinNumberDigits ? (null, all) : (null, null);
    }

    /// <summary>Contains, ignoring case and accents: "conceicao" finds "Conceição Araújo".</summary>
    public static bool NameMatches(string? name, string typed) =>
        name is not null && Fold(name).Contains(Fold(typed), StringComparison.Ordinal);

    /// <summary>Lower case without diacritics ("Conceição Araújo" → "conceicao araujo").</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var folded = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                folded.Append(char.ToLowerInvariant(c));
            }
        }

        return folded.ToString().Normalize(NormalizationForm.FormC);
    }
}
