using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;

namespace Smartspace.Functions.Tests.Features.Realtime;

/// <summary>
/// One frame of type <c>message</c> received on a socket: where it came from — <c>server</c> (a send to
/// the user or connection: the official client's <c>server-message</c>) or <c>group</c> with the group's
/// name (a send to a group: <c>group-message</c>) — and its (JSON) data.
/// </summary>
internal sealed record HubFrame(long SequenceId, string From, string? Group, JsonElement Data)
{
    public string? Type => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("type", out var t) ? t.GetString() : null;

    public string? TenantId => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("tenantId", out var t) ? t.GetString() : null;

    public string? ConversationId => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("conversationId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;

    public long Version => Data.TryGetProperty("version", out var v) ? v.GetInt64() : -1;

    public string? AgentId => Data.ValueKind == JsonValueKind.Object && Data.TryGetProperty("agentId", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;

    /// <summary><c>data.message</c> of a message event, when present.</summary>
    public JsonElement? Message => Data.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("message", out var m) ? m : null;

    public override string ToString() => $"#{SequenceId} {From}{(Group is null ? "" : ":" + Group)} {Data.GetRawText()}";
}

/// <summary>
/// A client of the reliable JSON subprotocol (<c>json.reliable.webpubsub.azure.v1</c>) as the browser's
/// <c>@azure/web-pubsub-client</c> behaves: waits for the <c>connected</c> system frame, keeps the largest
/// sequence id, acknowledges every sequenced frame with <c>sequenceAck</c>, and records each <c>message</c>.
/// Works over the TestServer's in-memory WebSocket or a real <see cref="ClientWebSocket"/>.
/// </summary>
internal sealed class HubSocket : IAsyncDisposable
{
    public const string Subprotocol = "json.reliable.webpubsub.azure.v1";

    /// <summary>Upper bound for any wait on the socket: a safety net against hangs, never a timing assertion.</summary>
    public static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(30);

    private readonly WebSocket socket;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly List<HubFrame> frames = [];
    private readonly TaskCompletionSource connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private HubSocket(WebSocket socket)
    {
        this.socket = socket;
        loop = Task.Run(ReceiveLoopAsync);
    }

    public string? ConnectionId { get; private set; }

    public string? UserId { get; private set; }

    public long LastSequenceId { get; private set; }

    public string? CloseReason { get; private set; }

    public IReadOnlyList<HubFrame> Frames
    {
        get
        {
            lock (frames)
            {
                return frames.ToList();
            }
        }
    }

    /// <summary>Connects through the TestServer with the URL returned by <c>/api/negotiate</c>.</summary>
    public static async Task<HubSocket> ConnectAsync(TestServer server, string url)
    {
        var client = server.CreateWebSocketClient();
        client.SubProtocols.Add(Subprotocol);
        using var timeout = new CancellationTokenSource(WaitBound);
        var ws = await client.ConnectAsync(new Uri(url), timeout.Token);
        return await StartAsync(ws);
    }

    /// <summary>Connects over a real TCP socket (a handler process) with the URL returned by <c>/api/negotiate</c>.</summary>
    public static async Task<HubSocket> ConnectAsync(string url)
    {
        var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol(Subprotocol);
        using var timeout = new CancellationTokenSource(WaitBound);
        await ws.ConnectAsync(new Uri(url), timeout.Token);
        return await StartAsync(ws);
    }

    private static async Task<HubSocket> StartAsync(WebSocket ws)
    {
        var hub = new HubSocket(ws);
        await hub.connected.Task.WaitAsync(WaitBound);
        return hub;
    }

    /// <summary>Waits (bounded) until the recorded frames satisfy <paramref name="condition"/>; returns them.</summary>
    public async Task<IReadOnlyList<HubFrame>> WaitForAsync(Func<IReadOnlyList<HubFrame>, bool> condition, string what)
    {
        var until = DateTime.UtcNow + WaitBound;
        while (true)
        {
            var snapshot = Frames;
            if (condition(snapshot))
            {
                return snapshot;
            }

            if (DateTime.UtcNow > until || loop.IsCompleted)
            {
                throw new TimeoutException($"Gave up waiting for {what} on {UserId}'s socket ({(loop.IsCompleted ? "socket closed: " + CloseReason : "bound reached")}). Received:\n" + string.Join("\n", snapshot));
            }

            await Task.Delay(20);
        }
    }

    public Task<IReadOnlyList<HubFrame>> WaitForEventAsync(string type, string? conversationId = null) =>
        WaitForAsync(f => f.Any(x => x.Type == type && (conversationId is null || x.ConversationId == conversationId)), $"{type} {conversationId}");

    /// <summary>A graceful close (close frame both ways): the hub ends the session and reports <c>disconnected</c>.</summary>
    public async Task CloseAsync()
    {
        if (socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(WaitBound);
            await sendLock.WaitAsync(timeout.Token);
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
            }
            catch (WebSocketException)
            {
            }
            finally
            {
                sendLock.Release();
            }
        }

        await loop.WaitAsync(WaitBound);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await CloseAsync();
        }
        catch (Exception e) when (e is TimeoutException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }

        stop.Cancel();
        socket.Dispose();
        stop.Dispose();
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[16 * 1024];
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseReason = $"{socket.CloseStatus} {socket.CloseStatusDescription}";
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await sendLock.WaitAsync(stop.Token);
                        try
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", stop.Token);
                        }
                        finally
                        {
                            sendLock.Release();
                        }
                    }

                    return;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (!result.EndOfMessage)
                {
                    continue;
                }

                await HandleAsync(message.WrittenMemory);
                message.Clear();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            CloseReason ??= e.GetType().Name + ": " + e.Message;
            connected.TrySetException(e);
        }
        finally
        {
            connected.TrySetException(new InvalidOperationException("The socket closed before the connected frame: " + CloseReason));
        }
    }

    private async Task HandleAsync(ReadOnlyMemory<byte> raw)
    {
        using var document = JsonDocument.Parse(raw);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        if (type == "system" && root.GetProperty("event").GetString() == "connected")
        {
            ConnectionId = root.GetProperty("connectionId").GetString();
            UserId = root.TryGetProperty("userId", out var u) ? u.GetString() : null;
            connected.TrySetResult();
            return;
        }

        if (type != "message")
        {
            return;
        }

        var sequenceId = root.TryGetProperty("sequenceId", out var s) ? s.GetInt64() : 0;
        if (sequenceId > 0 && sequenceId <= LastSequenceId)
        {
            return; // a redelivery the client already holds
        }

        var data = root.GetProperty("data");
        if (root.TryGetProperty("dataType", out var dataType) && dataType.GetString() == "text" && data.ValueKind == JsonValueKind.String)
        {
            using var inner = JsonDocument.Parse(data.GetString()!);
            data = inner.RootElement.Clone();
        }
        else
        {
            data = data.Clone();
        }

        var frame = new HubFrame(sequenceId, root.GetProperty("from").GetString()!, root.TryGetProperty("group", out var g) ? g.GetString() : null, data);
        lock (frames)
        {
            frames.Add(frame);
        }

        if (sequenceId > 0)
        {
            LastSequenceId = sequenceId;
            await SendAsync("{\"type\":\"sequenceAck\",\"sequenceId\":" + sequenceId + "}");
        }
    }

    private async Task SendAsync(string json)
    {
        await sendLock.WaitAsync(stop.Token);
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, stop.Token);
            }
        }
        finally
        {
            sendLock.Release();
        }
    }
}
