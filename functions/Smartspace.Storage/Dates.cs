namespace Smartspace.Storage;

/// <summary>Table Storage keeps instants in UTC: a <see cref="DateTime"/> of unspecified kind is taken as UTC.</summary>
public static class Dates
{
    public static DateTimeOffset ToUtc(DateTime dt) =>
        new(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime());

    /// <summary>The later of two optional instants (null when both are).</summary>
    public static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
