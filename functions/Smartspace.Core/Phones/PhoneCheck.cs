using System.Diagnostics.CodeAnalysis;
using Smartspace.Core.Text;

namespace Smartspace.Core.Phones;

/// <summary>
/// The verdict on what the agent typed in "Para" (R2–R5).
/// <list type="bullet">
/// <item><see cref="IsValid"/>: usable; <see cref="Number"/>, <see cref="E164"/> and <see cref="Digits"/> are set.</item>
/// <item>not valid and <see cref="IsComplete"/> false: still being typed (a landline with fewer than
/// 10 digits, R4, or a mobile with fewer than 11) — the client keeps "+Criar Conversa" disabled and shows no text.</item>
/// <item>not valid and <see cref="IsComplete"/> true: wrong — the client shows <see cref="ErrorText"/>
/// under the field (R3).</item>
/// </list>
/// The server refuses every non-valid number with <see cref="ErrorCode"/> and <see cref="ErrorText"/>.
/// </summary>
public sealed record PhoneCheck
{
    /// <summary>Stable error code for every refused number.</summary>
    public const string InvalidNumberCode = "invalid_number";

    private PhoneCheck(string typed, BrazilianPhoneNumber? number, bool isComplete, PhoneKind kind, string? ddd)
    {
        Typed = typed;
        Number = number;
        IsComplete = isComplete;
        Kind = kind;
        Ddd = ddd;
    }

    /// <summary>The raw input.</summary>
    public string Typed { get; }

    /// <summary>The number, when valid.</summary>
    public BrazilianPhoneNumber? Number { get; }

    [MemberNotNullWhen(true, nameof(Number), nameof(E164), nameof(Digits), nameof(Ddd))]
    [MemberNotNullWhen(false, nameof(ErrorCode), nameof(ErrorText))]
    public bool IsValid => Number is not null;

    /// <summary>False while more digits are needed before a verdict can be shown (R4).</summary>
    public bool IsComplete { get; }

    /// <summary>True when the client should show <see cref="ErrorText"/> under the field (R3).</summary>
    public bool ShowsError => !IsValid && IsComplete;

    /// <summary>Mobile or landline once the first local digit is known.</summary>
    public PhoneKind Kind { get; }

    /// <summary>The two-digit area code once typed (even when invalid).</summary>
    public string? Ddd { get; }

    /// <summary>"+5511999999999" when valid.</summary>
    public string? E164 => Number?.E164;

    /// <summary>"5511999999999" when valid.</summary>
    public string? Digits => Number?.Digits;

    /// <summary><see cref="InvalidNumberCode"/> when not valid.</summary>
    public string? ErrorCode => IsValid ? null : InvalidNumberCode;

    /// <summary><see cref="PtBr.InvalidNumber"/> when not valid.</summary>
    public string? ErrorText => IsValid ? null : PtBr.InvalidNumber;

    internal static PhoneCheck Valid(string typed, BrazilianPhoneNumber number) =>
        new(typed, number, isComplete: true, number.Kind, number.Ddd);

    internal static PhoneCheck Incomplete(string typed, PhoneKind kind, string? ddd) =>
        new(typed, null, isComplete: false, kind, ddd);

    internal static PhoneCheck Invalid(string typed, PhoneKind kind, string? ddd) =>
        new(typed, null, isComplete: true, kind, ddd);
}
