using System.Collections.Frozen;
using PhoneNumbers;

namespace Smartspace.Core.Phones;

/// <summary>
/// A valid Brazilian phone number as the agent types it in "Para" (R2–R4). Only <see cref="Check"/>
/// creates one, so a value of this type is always valid.
/// </summary>
/// <remarks>
/// Rules, in order:
/// <list type="number">
/// <item>Strip <c>+</c>, spaces, dashes, dots, parentheses and slashes; any other character is invalid.</item>
/// <item>A leading country code 55 is dropped when it was written with <c>+</c>, or when 10 or 11
/// digits remain (so DDD 55 numbers such as <c>55999999999</c> keep their DDD). Any other <c>+</c>
/// country is invalid: this field takes Brazilian numbers only.</item>
/// <item>A leading trunk prefix 0 (<c>011…</c>) is dropped.</item>
/// <item>The DDD must exist (Anatel's list of 67 area codes).</item>
/// <item>First local digit 9 or 8 → mobile, DDD + 9 digits (11); fewer is "incomplete" (still being typed,
/// no text), more is invalid with the text (R3).
/// 6 or 7 → an old 8-digit mobile, invalid. 2–5 → landline, 10 digits; fewer is "incomplete" (R4),
/// more is invalid. 0 or 1 → invalid.</item>
/// <item>A number of the right length must also pass libphonenumber's
/// <c>IsValidNumberForRegion(…, "BR")</c> (R4), which rejects unassigned ranges such as DDD+8XXXXXXXX.</item>
/// </list>
/// </remarks>
public sealed record BrazilianPhoneNumber
{
    /// <summary>Brazil's country calling code.</summary>
    public const string CountryCode = "55";

    /// <summary>Anatel's area codes (DDDs) in use.</summary>
    public static readonly FrozenSet<string> Ddds = new[]
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19",
        "21", "22", "24", "27", "28",
        "31", "32", "33", "34", "35", "37", "38",
        "41", "42", "43", "44", "45", "46", "47", "48", "49",
        "51", "53", "54", "55",
        "61", "62", "63", "64", "65", "66", "67", "68", "69",
        "71", "73", "74", "75", "77", "79",
        "81", "82", "83", "84", "85", "86", "87", "88", "89",
        "91", "92", "93", "94", "95", "96", "97", "98", "99",
    }.ToFrozenSet(StringComparer.Ordinal);

    private const int MaxInputLength = 64;

    private BrazilianPhoneNumber(string national, PhoneKind kind)
    {
        National = national;
        Kind = kind;
    }

    /// <summary>DDD + local number: "11999999999".</summary>
    public string National { get; }

    /// <summary>Mobile or landline.</summary>
    public PhoneKind Kind { get; }

    /// <summary>The area code: "11".</summary>
    public string Ddd => National[..2];

    /// <summary>The local number: "999999999".</summary>
    public string Local => National[2..];

    /// <summary>Country code + national: "5511999999999".</summary>
    public string Digits => CountryCode + National;

    /// <summary>"+5511999999999".</summary>
    public string E164 => "+" + Digits;

    /// <inheritdoc />
    public override string ToString() => E164;

    /// <summary>Judges what the agent typed (R2–R4). Never throws.</summary>
    public static PhoneCheck Check(string? typed)
    {
        typed ??= "";
        if (!TryStrip(typed, out var digits, out var hadPlus))
        {
            return PhoneCheck.Invalid(typed, PhoneKind.Unknown, null);
        }

        if (hadPlus)
        {
            // "+55…" is Brazil; "+" followed by anything else is a foreign number (or not yet typed).
            if (digits.Length < 2)
            {
                return digits.Length == 0 || digits[0] == '5'
                    ? PhoneCheck.Incomplete(typed, PhoneKind.Unknown, null)
                    : PhoneCheck.Invalid(typed, PhoneKind.Unknown, null);
            }

            if (!digits.StartsWith(CountryCode, StringComparison.Ordinal))
            {
                return PhoneCheck.Invalid(typed, PhoneKind.Unknown, null);
            }

            digits = digits[2..];
        }
        else if (digits.StartsWith(CountryCode, StringComparison.Ordinal) && digits.Length is 12 or 13)
        {
            digits = digits[2..];
        }

        if (digits.StartsWith('0'))
        {
            digits = digits[1..]; // trunk prefix: 011 99999-9999
        }

        return Judge(typed, digits);
    }

    /// <summary>True and the number when <paramref name="typed"/> is valid.</summary>
    public static bool TryParse(string? typed, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BrazilianPhoneNumber? number)
    {
        number = Check(typed).Number;
        return number is not null;
    }

    private static PhoneCheck Judge(string typed, string national)
    {
        if (national.Length < 2)
        {
            return PhoneCheck.Incomplete(typed, PhoneKind.Unknown, null);
        }

        var ddd = national[..2];
        if (!Ddds.Contains(ddd))
        {
            return PhoneCheck.Invalid(typed, PhoneKind.Unknown, ddd);
        }

        if (national.Length == 2)
        {
            return PhoneCheck.Incomplete(typed, PhoneKind.Unknown, ddd);
        }

        switch (national[2])
        {
            case '9' or '8':
                return national.Length switch
                {
                    < 11 => PhoneCheck.Incomplete(typed, PhoneKind.Mobile, ddd), // still being typed: no R3 text yet
                    11 => Confirm(typed, national, PhoneKind.Mobile),
                    _ => PhoneCheck.Invalid(typed, PhoneKind.Mobile, ddd),
                };
            case '6' or '7':
                return PhoneCheck.Invalid(typed, PhoneKind.Mobile, ddd);
            case >= '2' and <= '5':
                return national.Length switch
                {
                    < 10 => PhoneCheck.Incomplete(typed, PhoneKind.Landline, ddd),
                    10 => Confirm(typed, national, PhoneKind.Landline),
                    _ => PhoneCheck.Invalid(typed, PhoneKind.Landline, ddd),
                };
            default:
                return PhoneCheck.Invalid(typed, PhoneKind.Unknown, ddd);
        }
    }

    private static PhoneCheck Confirm(string typed, string national, PhoneKind kind)
    {
        var util = PhoneNumberUtil.GetInstance();
        bool valid;
        try
        {
            valid = util.IsValidNumberForRegion(util.Parse(national, "BR"), "BR");
        }
        catch (NumberParseException)
        {
            valid = false;
        }

        return valid
            ? PhoneCheck.Valid(typed, new BrazilianPhoneNumber(national, kind))
            : PhoneCheck.Invalid(typed, kind, national[..2]);
    }

    private static bool TryStrip(string typed, out string digits, out bool hadPlus)
    {
        digits = "";
        hadPlus = false;
        if (typed.Length > MaxInputLength)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[MaxInputLength];
        var length = 0;
        foreach (var c in typed)
        {
            switch (c)
            {
                case >= '0' and <= '9':
                    buffer[length++] = c;
                    break;
                case '+' when length == 0 && !hadPlus:
                    hadPlus = true;
                    break;
                case ' ' or '-' or '.' or '(' or ')' or '/' or '\t' or '\u00A0':
                    break;
                default:
                    return false;
            }
        }

        digits = new string(buffer[..length]);
        return true;
    }
}
