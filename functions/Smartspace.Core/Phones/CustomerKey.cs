using System.Diagnostics.CodeAnalysis;

namespace Smartspace.Core.Phones;

/// <summary>
/// Who a customer is on a channel (P6, R11): the canonical digits of their WhatsApp number, or their
/// business-scoped user id (BSUID, e.g. <c>BR.1502576394655843</c>) when Meta shares no phone.
/// </summary>
/// <remarks>
/// Brazil's ninth digit (P6, reference §14): WhatsApp may report a mobile as a 12-digit <c>wa_id</c>
/// (<c>55</c> + DDD + 8 digits) while the agent types 13 digits. Every Brazilian mobile is
/// DDD + 9XXXXXXXX today, and an 8-digit local number starting with 6–9 can only be an old-format
/// mobile, so the 12-digit form with first local digit 6–9 canonicalises to 13 digits by inserting
/// <c>9</c> after the DDD. Landlines (first local digit 2–5) have 12 digits and are never changed,
/// so a landline is never merged with a mobile. Numbers from other countries are their digits.
/// Store the exact <c>wa_id</c> Meta reports (<see cref="LegacyWaId"/> gives the 12-digit variant)
/// and send to it; this key is for finding the customer, not for addressing messages.
/// </remarks>
public sealed record CustomerKey
{
    private CustomerKey(string value, bool isUserId)
    {
        Value = value;
        IsUserId = isUserId;
    }

    /// <summary>Canonical digits ("5511987654321") or a BSUID.</summary>
    public string Value { get; }

    /// <summary>True when <see cref="Value"/> is a BSUID rather than phone digits.</summary>
    public bool IsUserId { get; }

    /// <summary>
    /// For a Brazilian 13-digit mobile key, the 12-digit form WhatsApp may use as <c>wa_id</c>
    /// (the ninth digit removed); otherwise null.
    /// </summary>
    public string? LegacyWaId =>
        !IsUserId && Value.Length == 13 && Value.StartsWith(BrazilianPhoneNumber.CountryCode, StringComparison.Ordinal) && Value[4] == '9' && Value[5] is >= '6' and <= '9'
            ? Value[..4] + Value[5..]
            : null;

    /// <inheritdoc />
    public override string ToString() => IsUserId ? Value : Mask(Value);

    /// <summary>From a webhook <c>wa_id</c> / <c>from</c> / <c>recipient_id</c> (digits, optionally with "+").</summary>
    /// <exception cref="ArgumentException">Not a phone number; use <see cref="TryFromWaId"/> for untrusted input.</exception>
    public static CustomerKey FromWaId(string waId) =>
        TryFromWaId(waId, out var key) ? key : throw new ArgumentException("A wa_id is 8–15 digits.", nameof(waId));

    /// <summary>False when <paramref name="waId"/> is not 8–15 digits (an optional leading "+" is allowed).</summary>
    public static bool TryFromWaId(string? waId, [NotNullWhen(true)] out CustomerKey? key)
    {
        key = null;
        if (waId is null)
        {
            return false;
        }

        var digits = waId.StartsWith('+') ? waId[1..] : waId;
        if (digits.Length is < 8 or > 15 || !digits.All(char.IsAsciiDigit))
        {
            return false;
        }

        key = new CustomerKey(Canonical(digits), isUserId: false);
        return true;
    }

    /// <summary>From a valid typed number (R2–R4).</summary>
    /// <exception cref="ArgumentException">The check is not valid.</exception>
    public static CustomerKey FromPhone(PhoneCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return check.IsValid
            ? FromPhone(check.Number)
            : throw new ArgumentException("Only a valid number has a customer key.", nameof(check));
    }

    /// <summary>From a valid Brazilian number.</summary>
    public static CustomerKey FromPhone(BrazilianPhoneNumber number)
    {
        ArgumentNullException.ThrowIfNull(number);
        return new CustomerKey(Canonical(number.Digits), isUserId: false);
    }

    /// <summary>From a business-scoped user id (<c>from_user_id</c>, <c>user_id</c>), for customers without a shared phone.</summary>
    public static bool TryFromUserId(string? userId, [NotNullWhen(true)] out CustomerKey? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(userId) || userId.Length > 160 || userId.Any(char.IsWhiteSpace))
        {
            return false;
        }

        key = new CustomerKey(userId, isUserId: true);
        return true;
    }

    /// <summary>
    /// A number safe for logs: "+55 11 9****-4321" (country, DDD, first local digit, last 4) for Brazil,
    /// "+&lt;country&gt; ****4321" otherwise; never more than the last 4 subscriber digits.
    /// Input that is not a number (e.g. a BSUID) keeps its prefix up to the first '.' and its last 4 characters.
    /// </summary>
    public static string Mask(string? digitsOrE164)
    {
        if (string.IsNullOrEmpty(digitsOrE164))
        {
            return "";
        }

        var digits = digitsOrE164.StartsWith('+') ? digitsOrE164[1..] : digitsOrE164;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            var dot = digitsOrE164.IndexOf('.', StringComparison.Ordinal);
            var prefix = dot is > 0 and <= 8 ? digitsOrE164[..(dot + 1)] : "";
            var rest = digitsOrE164.Length - prefix.Length;
            return rest <= 4 ? prefix + "****" : prefix + "****" + digitsOrE164[^4..];
        }

        if (digits.Length <= 4)
        {
            return new string('*', digits.Length);
        }

        var last4 = digits[^4..];
        if (digits.Length is 12 or 13 && digits.StartsWith(BrazilianPhoneNumber.CountryCode, StringComparison.Ordinal))
        {
            // 55 DD N***(*)-NNNN: the local number has 8 or 9 digits; show its first and last four.
            return "+55 " + digits[2..4] + " " + digits[4] + new string('*', digits.Length - 9) + "-" + last4;
        }

        var countryLength = CountryCodeLength(digits);
        var hidden = digits.Length - countryLength - 4;
        return hidden <= 0
            ? "+" + new string('*', digits.Length - 4) + last4
            : "+" + digits[..countryLength] + " " + new string('*', hidden) + last4;
    }

    private static string Canonical(string digits)
    {
        // 55 DD [6-9]XXXXXXX (12 digits) → 55 DD 9 [6-9]XXXXXXX (13 digits); everything else as is.
        return digits.Length == 12
            && digits.StartsWith(BrazilianPhoneNumber.CountryCode, StringComparison.Ordinal)
            && digits[4] is >= '6' and <= '9'
            ? digits[..4] + "9" + digits[4..]
            : digits;
    }

    private static int CountryCodeLength(string digits)
    {
        var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
        for (var length = 1; length <= 3 && length < digits.Length; length++)
        {
            if (int.TryParse(digits.AsSpan(0, length), out var code) && util.GetRegionCodeForCountryCode(code) != "ZZ")
            {
                return length;
            }
        }

        return 0;
    }
}
