using System.Globalization;
using System.Text.Json;

namespace Smartspace.Core.Meta;

/// <summary>Raised inside <see cref="WebhookParser"/> only; turned into a <see cref="WebhookParseResult"/> there.</summary>
internal sealed class WebhookPayloadException(string reason) : Exception(reason);

/// <summary>
/// Typed reads of a <see cref="JsonElement"/> object's properties. "Optional" means absent or
/// <c>null</c>; a present value of the wrong JSON type is always an error with its path.
/// </summary>
internal static class JsonFields
{
    /// <summary>Largest Unix-seconds value a <see cref="DateTimeOffset"/> holds (9999-12-31).</summary>
    private const long MaxUnixSeconds = 253_402_300_799;

    public static string? OptString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw WrongType(path, name, "a string", value);
    }

    public static string ReqString(JsonElement obj, string name, string path) =>
        OptString(obj, name, path) ?? throw Missing(path, name);

    /// <summary>Like <see cref="OptString"/>, but an empty string is null too (Meta's early drafts sent "" for absent phones).</summary>
    public static string? OptNonEmptyString(JsonElement obj, string name, string path)
    {
        var text = OptString(obj, name, path);
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public static bool? OptBool(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(path, name, "a boolean", value),
        };
    }

    public static double? OptDouble(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number)
            && double.IsFinite(number))
        {
            return number;
        }

        throw WrongType(path, name, "a number", value);
    }

    public static double ReqDouble(JsonElement obj, string name, string path) =>
        OptDouble(obj, name, path) ?? throw Missing(path, name);

    /// <summary>An integer sent as a JSON number or a string of digits (Meta error codes).</summary>
    public static int ReqInt(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Missing(path, name);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String
            && int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number))
        {
            return number;
        }

        throw WrongType(path, name, "an integer", value);
    }

    /// <summary>An id Meta sends as a number in some webhooks and as a string in others; returned as its digits.</summary>
    public static string ReqId(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Missing(path, name);
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number))
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
        {
            return text;
        }

        throw WrongType(path, name, "a number or a non-empty string", value);
    }

    /// <summary>Unix seconds, sent as a string of digits (or, leniently, a JSON integer).</summary>
    public static DateTimeOffset ReqTimestamp(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Missing(path, name);
        }

        long seconds = 0;
        var ok = value.ValueKind == JsonValueKind.String
            ? long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out seconds)
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out seconds);

        if (!ok || seconds is < 0 or > MaxUnixSeconds)
        {
            throw new WebhookPayloadException($"{path}.{name} must be Unix seconds as a string of digits");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    public static JsonElement? OptObject(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw WrongType(path, name, "an object", value);
    }

    public static JsonElement ReqObject(JsonElement obj, string name, string path) =>
        OptObject(obj, name, path) ?? throw Missing(path, name);

    /// <summary>The array's items (each required to be an object), or none when absent/null.</summary>
    public static JsonElement.ArrayEnumerator OptArray(JsonElement obj, string name, string path, out int count)
    {
        count = 0;
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return default;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw WrongType(path, name, "an array", value);
        }

        count = value.GetArrayLength();
        return value.EnumerateArray();
    }

    public static JsonElement.ArrayEnumerator ReqArray(JsonElement obj, string name, string path, out int count)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw Missing(path, name);
        }

        return OptArray(obj, name, path, out count);
    }

    public static void RequireObject(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw new WebhookPayloadException($"{path} must be an object, got {Describe(item.ValueKind)}");
        }
    }

    public static WebhookPayloadException Missing(string path, string name) =>
        new($"{path}.{name} is missing");

    private static WebhookPayloadException WrongType(string path, string name, string expected, JsonElement value) =>
        new($"{path}.{name} must be {expected}, got {Describe(value.ValueKind)}");

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
