using System.Globalization;

namespace Smartspace.Storage;

/// <summary>
/// Azure Table Storage's limits, checked before anything is written, by both adapters. Azurite accepts
/// some batches Azure refuses (two partitions, 101 operations), so the adapters refuse them here.
/// Sizes are estimated the way Azure documents them: 4 bytes + keys as UTF-16, and per property
/// 8 bytes + name as UTF-16 + the value (string: 4 + 2/char; binary: 4 + length; Guid 16; 8 for
/// long/double/DateTime; 4 for int; 1 for bool).
/// </summary>
public static class StoreLimitValidator
{
    public const int MaxTablePrefixLength = 32;
    public const int MaxPropertyNameLength = 255;
    private const int MaxTableNameLength = 63;
    private const int MinTableNameLength = 3;
    /// <summary>Multipart headers and request line of one operation inside a batch request (generous).</summary>
    private const int BatchOperationOverheadBytes = 512;

    /// <summary>Throws <see cref="StoreLimitException"/> (or <see cref="ArgumentException"/> for a malformed call) when Azure would refuse the batch.</summary>
    public static void ValidateBatch(string physicalTableName, IReadOnlyList<EntityOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ValidateTableName(physicalTableName);
        if (operations.Count == 0)
        {
            throw new StoreLimitException("A batch needs at least one operation.");
        }

        if (operations.Count > StoreLimits.MaxBatchOperations)
        {
            throw new StoreLimitException($"A batch holds at most {StoreLimits.MaxBatchOperations} operations; this one has {operations.Count}.");
        }

        var partitionKey = operations[0]?.Entity?.PartitionKey;
        long batchBytes = 0;
        HashSet<string>? seen = operations.Count > 1 ? new HashSet<string>(operations.Count, StringComparer.Ordinal) : null;
        for (var i = 0; i < operations.Count; i++)
        {
            var op = operations[i] ?? throw new ArgumentException($"Operation {i} is null.", nameof(operations));
            var entity = op.Entity ?? throw new ArgumentException($"Operation {i} has no entity.", nameof(operations));
            if (!Enum.IsDefined(op.Kind))
            {
                throw new ArgumentException($"Operation {i} has an unknown kind {op.Kind}.", nameof(operations));
            }

            if (op.Kind is EntityOperationKind.Replace or EntityOperationKind.Delete && string.IsNullOrEmpty(op.IfMatch))
            {
                throw new ArgumentException($"Operation {i} ({op.Kind}) needs IfMatch (an ETag or \"*\").", nameof(operations));
            }

            ValidateKey(entity.PartitionKey, "PartitionKey");
            ValidateKey(entity.RowKey, "RowKey");
            if (!string.Equals(entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new StoreLimitException($"All operations of a batch must target one partition; operation {i} targets another.");
            }

            if (seen is not null && !seen.Add(entity.RowKey))
            {
                throw new StoreLimitException($"Each entity may appear once in a batch; row key at operation {i} repeats.");
            }

            if (op.Kind == EntityOperationKind.Delete)
            {
                batchBytes += KeysSize(entity) + BatchOperationOverheadBytes;
                continue;
            }

            var size = ValidateEntity(entity, out var wireExtra);
            batchBytes += size + wireExtra + BatchOperationOverheadBytes;
        }

        if (batchBytes > StoreLimits.MaxBatchBytes)
        {
            throw new StoreLimitException($"A batch must fit {StoreLimits.MaxBatchBytes} bytes; this one is about {batchBytes}.");
        }
    }

    /// <summary>Validates one entity's keys, properties and size; returns its estimated size in bytes.</summary>
    public static long ValidateEntity(Entity entity) => ValidateEntity(entity, out _);

    private static long ValidateEntity(Entity entity, out long wireExtra)
    {
        wireExtra = 0;
        var properties = entity.Properties;
        var custom = 0;
        long size = KeysSize(entity);
        foreach (var (name, value) in properties)
        {
            if (value is null)
            {
                continue; // not stored, like Azure
            }

            custom++;
            ValidatePropertyName(name);
            size += 8 + (2L * name.Length);
            switch (value)
            {
                case string s:
                    if (s.Length > StoreLimits.MaxStringChars)
                    {
                        throw new StoreLimitException($"Property '{name}' has {s.Length} chars; a string holds at most {StoreLimits.MaxStringChars}.");
                    }

                    size += 4 + (2L * s.Length);
                    break;
                case byte[] b:
                    if (b.Length > StoreLimits.MaxStringChars * 2)
                    {
                        throw new StoreLimitException($"Property '{name}' has {b.Length} bytes; a binary holds at most {StoreLimits.MaxStringChars * 2}.");
                    }

                    size += 4 + b.Length;
                    wireExtra += (b.Length + 2) / 3 * 4 - b.Length; // base64 on the wire
                    break;
                case bool:
                    size += 1;
                    break;
                case int:
                    size += 4;
                    break;
                case long or double or DateTimeOffset or DateTime:
                    size += 8;
                    break;
                case Guid:
                    size += 16;
                    break;
                default:
                    throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}; use string, bool, int, long, double, DateTimeOffset, Guid or byte[].");
            }
        }

        if (custom > StoreLimits.MaxPropertiesPerEntity)
        {
            throw new StoreLimitException($"An entity holds at most {StoreLimits.MaxPropertiesPerEntity} properties; this one has {custom}.");
        }

        if (size > StoreLimits.MaxEntityBytes)
        {
            throw new StoreLimitException($"An entity must fit {StoreLimits.MaxEntityBytes} bytes; this one is about {size}.");
        }

        return size;
    }

    private static long KeysSize(Entity entity) => 4 + (2L * (entity.PartitionKey.Length + entity.RowKey.Length));

    /// <summary>True when a key could be stored (so an entity with it could exist): not null, at most 1 KiB, no forbidden character.</summary>
    public static bool IsStorableKey(string? key) =>
        key is not null && key.Length <= StoreLimits.MaxKeyLength && !key.Any(IsForbiddenKeyChar);

    private static bool IsForbiddenKeyChar(char c) => c is '/' or '\\' or '#' or '?' || c <= '\u001f' || (c >= '\u007f' && c <= '\u009f');

    /// <summary>PartitionKey/RowKey: at most 1 KiB, no / \ # ? and no control characters.</summary>
    public static void ValidateKey(string? key, string what)
    {
        if (key is null)
        {
            throw new ArgumentException($"{what} is required.");
        }

        if (key.Length > StoreLimits.MaxKeyLength)
        {
            throw new StoreLimitException($"{what} has {key.Length} chars; at most {StoreLimits.MaxKeyLength}.");
        }

        foreach (var c in key)
        {
            if (IsForbiddenKeyChar(c))
            {
                throw new StoreLimitException($"{what} contains a character Azure Tables forbids (/ \\ # ? or a control character: U+{(int)c:X4}).");
            }
        }
    }

    /// <summary>Property names follow C# identifier rules, at most 255 chars, and are not the system names.</summary>
    public static void ValidatePropertyName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxPropertyNameLength)
        {
            throw new StoreLimitException($"Property name '{name}' must have 1-{MaxPropertyNameLength} chars.");
        }

        if (name is "PartitionKey" or "RowKey" or "Timestamp" or "ETag")
        {
            throw new StoreLimitException($"Property name '{name}' is reserved.");
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var ok = c == '_' || char.IsLetter(c) || (i > 0 && (char.IsDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark));
            if (!ok)
            {
                throw new StoreLimitException($"Property name '{name}' must follow C# identifier rules.");
            }
        }
    }

    /// <summary>Physical table name: 3-63 ASCII letters or digits, starting with a letter.</summary>
    public static void ValidateTableName(string physicalTableName)
    {
        if (physicalTableName is null || physicalTableName.Length is < MinTableNameLength or > MaxTableNameLength ||
            !char.IsAsciiLetter(physicalTableName[0]) || !physicalTableName.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"Table name '{physicalTableName}' must be {MinTableNameLength}-{MaxTableNameLength} ASCII letters or digits, starting with a letter.");
        }
    }

    /// <summary>Logical table names are alphanumeric; the physical name is prefix + logical name.</summary>
    public static string PhysicalTableName(string prefix, string logicalTable)
    {
        ArgumentException.ThrowIfNullOrEmpty(logicalTable);
        var name = prefix + logicalTable;
        ValidateTableName(name);
        return name;
    }

    public static bool IsValidTablePrefix(string? prefix) =>
        prefix is { Length: > 0 and <= MaxTablePrefixLength } && char.IsAsciiLetter(prefix[0]) && prefix.All(char.IsAsciiLetterOrDigit);
}
