using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Smartspace.Storage.Sqlite;

/// <summary>
/// Entity properties as JSON with a type tag per value, so every supported type round-trips:
/// <c>{"Name":["s","Ana"],"Count":["i",3],"At":["t","2026-11-24T01:00:00.0000000+00:00"]}</c>.
/// Tags: s string, b bool, i int, l long, d double (round-trip text, NaN/Infinity too),
/// t DateTimeOffset (UTC, 100 ns), g Guid, x byte[] (base64). Null values are not stored (as in Azure).
/// </summary>
internal static class PropertyCodec
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    public static string Serialize(IReadOnlyDictionary<string, object?> properties)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        writer.Reset(buffer);
        writer.WriteStartObject();
        foreach (var (name, value) in properties)
        {
            if (value is null)
            {
                continue;
            }

            writer.WritePropertyName(name);
            writer.WriteStartArray();
            switch (value)
            {
                case string s:
                    writer.WriteStringValue("s");
                    writer.WriteStringValue(s);
                    break;
                case bool b:
                    writer.WriteStringValue("b");
                    writer.WriteBooleanValue(b);
                    break;
                case int i:
                    writer.WriteStringValue("i");
                    writer.WriteNumberValue(i);
                    break;
                case long l:
                    writer.WriteStringValue("l");
                    writer.WriteNumberValue(l);
                    break;
                case double d:
                    writer.WriteStringValue("d");
                    writer.WriteStringValue(d.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case DateTimeOffset dto:
                    writer.WriteStringValue("t");
                    writer.WriteStringValue(dto.ToUniversalTime());
                    break;
                case DateTime dt:
                    writer.WriteStringValue("t");
                    writer.WriteStringValue(ToUtc(dt));
                    break;
                case Guid g:
                    writer.WriteStringValue("g");
                    writer.WriteStringValue(g);
                    break;
                case byte[] x:
                    writer.WriteStringValue("x");
                    writer.WriteBase64StringValue(x);
                    break;
                default:
                    throw new ArgumentException($"Property '{name}' has unsupported type {value.GetType().Name}.");
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.Flush();
        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        if (buffer.Capacity > 64 * 1024)
        {
            // Do not keep a large entity's buffer alive on this thread.
            t_buffer = null;
            t_writer = null;
        }

        return json;
    }

    public static DateTimeOffset ToUtc(DateTime dt) =>
        new(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt.ToUniversalTime());

    public static Dictionary<string, object?> Deserialize(string json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var max = Encoding.UTF8.GetMaxByteCount(json.Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var length = Encoding.UTF8.GetBytes(json, rented);
            var reader = new Utf8JsonReader(rented.AsSpan(0, length));
            reader.Read(); // {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                reader.Read(); // [
                reader.Read();
                var tag = reader.ValueSpan.Length == 1 ? reader.ValueSpan[0] : (byte)0;
                reader.Read();
                object value = tag switch
                {
                    (byte)'s' => reader.GetString()!,
                    (byte)'b' => reader.GetBoolean(),
                    (byte)'i' => reader.GetInt32(),
                    (byte)'l' => reader.GetInt64(),
                    (byte)'d' => double.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture),
                    (byte)'t' => reader.GetDateTimeOffset(),
                    (byte)'g' => reader.GetGuid(),
                    (byte)'x' => reader.GetBytesFromBase64(),
                    _ => throw new InvalidDataException($"Unknown type tag in stored property '{name}'."),
                };
                reader.Read(); // ]
                result[name] = value;
            }

            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
