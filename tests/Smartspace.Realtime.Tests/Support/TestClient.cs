using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Smartspace.Realtime.Tests.Support;

/// <summary>A raw ClientWebSocket speaking the JSON protocols by hand, so tests see the exact frames.</summary>
internal sealed class TestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;

    private TestClient(ClientWebSocket socket) => _socket = socket;

    public WebSocket Socket => _socket;

    public string? SubProtocol => _socket.SubProtocol;

    public static async Task<TestClient> ConnectAsync(Uri uri, string? protocol)
    {
        var socket = new ClientWebSocket();
        if (protocol is not null)
        {
            socket.Options.AddSubProtocol(protocol);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(uri, timeout.Token);
        return new TestClient(socket);
    }

    public Task SendAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Next frame as text; throws on timeout; null when the server closed.</summary>
    public async Task<string?> ReceiveTextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await _socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(message.ToArray());
            }
        }
    }

    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        var text = await ReceiveTextAsync(timeout) ?? throw new InvalidOperationException("The server closed the socket.");
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Receives frames until one matches; returns it.</summary>
    public async Task<JsonElement> ReceiveUntilAsync(Func<JsonElement, bool> match, TimeSpan? timeout = null)
    {
        while (true)
        {
            var frame = await ReceiveJsonAsync(timeout);
            if (match(frame))
            {
                return frame;
            }
        }
    }

    /// <summary>Waits for the server to close; returns the close status (null when the socket just died).</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync(TimeSpan? timeout = null)
    {
        try
        {
            while (await ReceiveTextAsync(timeout ?? TimeSpan.FromSeconds(10)) is not null)
            {
            }

            return _socket.CloseStatus;
        }
        catch (WebSocketException)
        {
            return null;
        }
    }

    public void Abort() => _socket.Abort();

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }

        _socket.Dispose();
    }
}

internal static class Json
{
    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static bool Has(this JsonElement e, string name) => e.TryGetProperty(name, out _);

    public static bool IsMessage(JsonElement e) => e.TryGetProperty("type", out var t) && t.GetString() == "message";

    public static bool IsAck(JsonElement e) => e.TryGetProperty("type", out var t) && t.GetString() == "ack";
}
