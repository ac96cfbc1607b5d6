namespace Smartspace.Storage;

/// <summary>
/// Evaluates <see cref="PropertyFilter"/>s in memory with Azure Tables' semantics: a property compares
/// only with a constant of the same type (int and long are different types, as Edm.Int32 and Edm.Int64
/// are); a missing property or a type mismatch never matches; strings compare ordinally.
/// </summary>
public static class PropertyFilterEvaluator
{
    public static bool Matches(IReadOnlyDictionary<string, object?> properties, IReadOnlyList<PropertyFilter> filters)
    {
        for (var i = 0; i < filters.Count; i++)
        {
            var filter = filters[i];
            if (!properties.TryGetValue(filter.Property, out var actual) || actual is null)
            {
                return false;
            }

            int? order = (Normalize(actual), Normalize(filter.Value)) switch
            {
                (string a, string b) => string.CompareOrdinal(a, b),
                (bool a, bool b) => a.CompareTo(b),
                (int a, int b) => a.CompareTo(b),
                (long a, long b) => a.CompareTo(b),
                (double a, double b) => a.CompareTo(b),
                (DateTimeOffset a, DateTimeOffset b) => a.UtcTicks.CompareTo(b.UtcTicks),
                (Guid a, Guid b) => a.CompareTo(b),
                (byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b),
                _ => null,
            };
            if (order is not { } c)
            {
                return false;
            }

            var ok = filter.Operator switch
            {
                FilterOperator.Equal => c == 0,
                FilterOperator.NotEqual => c != 0,
                FilterOperator.GreaterThan => c > 0,
                FilterOperator.GreaterThanOrEqual => c >= 0,
                FilterOperator.LessThan => c < 0,
                FilterOperator.LessThanOrEqual => c <= 0,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static object Normalize(object value) => value is DateTime dt ? Sqlite.PropertyCodec.ToUtc(dt) : value;
}
