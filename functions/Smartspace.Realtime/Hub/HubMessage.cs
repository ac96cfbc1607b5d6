using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Smartspace.Realtime.Hub;

/// <summary>The client-side <c>dataType</c> of a message.</summary>
public enum MessageDataType
{
    Json,
    Text,
    Binary,
}

/// <summary>
/// A payload as the hub delivers it: the JSON value for the <c>data</c> field of the JSON protocols and
/// the bytes a raw-WebSocket client gets. Built once per publish and shared by every receiver.
/// </summary>
public sealed class MessagePayload
{
    private MessagePayload(MessageDataType dataType, byte[] dataJson, byte[] raw)
    {
        DataType = dataType;
        DataJson = dataJson;
        Raw = raw;
    }

    public MessageDataType DataType { get; }

    /// <summary>The JSON value written after <c>"data":</c>.</summary>
    public byte[] DataJson { get; }

    /// <summary>What a raw-WebSocket client receives.</summary>
    public byte[] Raw { get; }

    public WebSocketMessageType RawMessageType => DataType == MessageDataType.Binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text;

    public string DataTypeName => DataType switch
    {
        MessageDataType.Text => "text",
        MessageDataType.Binary => "binary",
        _ => "json",
    };

    /// <summary>A JSON payload; throws <see cref="JsonException"/> if the bytes are not one JSON value.</summary>
    public static MessagePayload Json(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        reader.Read();
        reader.Skip();
        if (reader.Read())
        {
            throw new JsonException("More than one JSON value.");
        }

        var bytes = json.ToArray();
        return new MessagePayload(MessageDataType.Json, bytes, bytes);
    }

    public static MessagePayload Text(string text) =>
        new(MessageDataType.Text, JsonSerializer.SerializeToUtf8Bytes(text), Encoding.UTF8.GetBytes(text));

    public static MessagePayload Binary(ReadOnlySpan<byte> bytes) =>
        new(MessageDataType.Binary, JsonSerializer.SerializeToUtf8Bytes(Convert.ToBase64String(bytes)), bytes.ToArray());

    /// <summary>Maps a REST body to a payload by content type (json/text/binary); null when the type is not one of them.</summary>
    public static MessagePayload? FromContent(string? contentType, ReadOnlySpan<byte> body)
    {
        var mediaType = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/json" => Json(body),
            "text/plain" => Text(Encoding.UTF8.GetString(body)),
            "application/octet-stream" => Binary(body),
            _ => null,
        };
    }

    /// <summary>Reads a client frame's <c>data</c> element for the given <c>dataType</c>; null when it does not match.</summary>
    public static MessagePayload? FromClientData(string? dataType, JsonElement data)
    {
        switch (dataType ?? "json")
        {
            case "json":
                return Json(Encoding.UTF8.GetBytes(data.GetRawText()));
            case "text" when data.ValueKind == JsonValueKind.String:
                return Text(data.GetString()!);
            case "binary" when data.ValueKind == JsonValueKind.String:
                var text = data.GetString()!;
                var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(text.Length)];
                return Convert.TryFromBase64String(text, buffer, out var written) ? Binary(buffer.AsSpan(0, written)) : null;
            default:
                return null;
        }
    }

    /// <summary>Content type used when this payload is POSTed to an event handler.</summary>
    public string ContentType => DataType switch
    {
        MessageDataType.Text => "text/plain; charset=utf-8",
        MessageDataType.Binary => "application/octet-stream",
        _ => "application/json",
    };
}

/// <summary>
/// One published message, pre-serialized: <see cref="JsonTail"/> is everything after the opening brace
/// (and after <c>"sequenceId":N,</c> on the reliable protocol), so each receiver pays one copy.
/// </summary>
internal sealed class HubMessage
{
    private HubMessage(byte[] jsonTail, MessagePayload payload)
    {
        JsonTail = jsonTail;
        Payload = payload;
    }

    public byte[] JsonTail { get; }

    public MessagePayload Payload { get; }

    public static HubMessage FromServer(MessagePayload payload) =>
        new(Tail(w =>
        {
            w.WriteString("type", "message");
            w.WriteString("from", "server");
        }, payload), payload);

    /// <summary>
    /// A server's send to a group (REST <c>groups/{group}/:send</c> or the in-process publisher): Azure
    /// delivers it as a group message naming the group, with no <c>fromUserId</c>, so the official client
    /// raises <c>group-message</c>, not <c>server-message</c>.
    /// </summary>
    public static HubMessage FromServerToGroup(string group, MessagePayload payload) => FromGroup(group, payload, fromUserId: null);

    /// <summary>A message sent to a group: by a client (<c>sendToGroup</c>, with its user id) or by the server.</summary>
    public static HubMessage FromGroup(string group, MessagePayload payload, string? fromUserId) =>
        new(Tail(w =>
        {
            w.WriteString("type", "message");
            w.WriteString("from", "group");
            w.WriteString("group", group);
        }, payload, fromUserId), payload);

    private static byte[] Tail(Action<Utf8JsonWriter> head, MessagePayload payload, string? fromUserId = null)
    {
        using var stream = new MemoryStream(payload.DataJson.Length + 96);
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
        {
            w.WriteStartObject();
            head(w);
            w.WriteString("dataType", payload.DataTypeName);
            w.WritePropertyName("data");
            w.WriteRawValue(payload.DataJson, skipInputValidation: true);
            if (fromUserId is not null)
            {
                w.WriteString("fromUserId", fromUserId);
            }

            w.WriteEndObject();
        }

        // drop the leading '{'
        return stream.GetBuffer().AsSpan(1, (int)stream.Length - 1).ToArray();
    }
}
