using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Smartspace.Realtime.Hub;

/// <summary>Service → client frames of the JSON subprotocols.</summary>
internal static class Frames
{
    public static readonly byte[] Pong = "{\"type\":\"pong\"}"u8.ToArray();

    public static byte[] Plain(byte[] tail)
    {
        var frame = new byte[tail.Length + 1];
        frame[0] = (byte)'{';
        tail.CopyTo(frame, 1);
        return frame;
    }

    public static byte[] Sequenced(ulong sequenceId, byte[] tail)
    {
        Span<byte> number = stackalloc byte[20];
        Utf8Formatter.TryFormat(sequenceId, number, out var n);
        var prefix = "{\"sequenceId\":"u8;
        var frame = new byte[prefix.Length + n + 1 + tail.Length];
        prefix.CopyTo(frame);
        number[..n].CopyTo(frame.AsSpan(prefix.Length));
        frame[prefix.Length + n] = (byte)',';
        tail.CopyTo(frame, prefix.Length + n + 1);
        return frame;
    }

    public static byte[] Connected(string? userId, string connectionId, string? reconnectionToken) => Write(w =>
    {
        w.WriteString("type", "system");
        w.WriteString("event", "connected");
        if (userId is null)
        {
            w.WriteNull("userId");
        }
        else
        {
            w.WriteString("userId", userId);
        }

        w.WriteString("connectionId", connectionId);
        if (reconnectionToken is not null)
        {
            w.WriteString("reconnectionToken", reconnectionToken);
        }
    });

    public static byte[] Disconnected(string reason) => Write(w =>
    {
        w.WriteString("type", "system");
        w.WriteString("event", "disconnected");
        w.WriteString("message", reason);
    });

    public static byte[] Ack(long ackId, AckError? error, string? message = null) => Write(w =>
    {
        w.WriteString("type", "ack");
        w.WriteNumber("ackId", ackId);
        w.WriteBoolean("success", error is null);
        if (error is { } e)
        {
            w.WriteStartObject("error");
            w.WriteString("name", e.ToString());
            w.WriteString("message", message ?? DefaultMessage(e, ackId));
            w.WriteEndObject();
        }
    });

    private static string DefaultMessage(AckError error, long ackId) => error switch
    {
        AckError.Forbidden => "The connection does not have permission to perform this action.",
        AckError.Duplicate => "Message with ackId " + ackId.ToString(CultureInfo.InvariantCulture) + " has been processed.",
        _ => "Internal server error.",
    };

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream(128);
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        return stream.ToArray();
    }

}

/// <summary>Ack error names of the Web PubSub protocols.</summary>
internal enum AckError
{
    Forbidden,
    Duplicate,
    InternalServerError,
}
