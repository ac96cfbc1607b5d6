namespace Smartspace.Core.Phones;

/// <summary>What a Brazilian number is, judged by the first digit after the DDD (R3/R4).</summary>
public enum PhoneKind
{
    /// <summary>Not enough digits yet, or the first local digit is neither mobile nor landline.</summary>
    Unknown = 0,

    /// <summary>First local digit 9 or 8 (R3), or 6–7 (old 8-digit mobile format, always invalid now).</summary>
    Mobile,

    /// <summary>First local digit 2–5 (R4).</summary>
    Landline,
}
