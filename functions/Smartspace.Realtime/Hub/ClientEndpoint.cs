using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Auth;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// <c>/client/hubs/{hub}</c>: authenticates (401 before the upgrade), negotiates the subprotocol,
/// starts or recovers a session, then runs the receive loop. Sends go through the session's queue and
/// one writer task, never from this loop directly.
/// </summary>
internal sealed partial class ClientEndpoint(
    EmbeddedHub hubs,
    IOptions<WebPubSubOptions> options,
    TimeProvider time,
    IHubEventSink events,
    ILogger<ClientEndpoint> logger)
{
    /// <summary>Largest client frame accepted (Azure's limit is 1 MB per message).</summary>
    private const int MaxClientMessageBytes = 1024 * 1024;

    public async Task HandleAsync(HttpContext context, string hub)
    {
        if (!HubName.IsValid(hub))
        {
            await HubErrors.WriteAsync(context, 400, "InvalidHub", "The hub name is not valid.");
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await HubErrors.WriteAsync(context, 400, "WebSocketRequired", "This endpoint only accepts WebSocket upgrades.");
            return;
        }

        var chosen = ClientProtocols.Choose(context.WebSockets.WebSocketRequestedProtocols);
        if (chosen is not { } protocol)
        {
            await HubErrors.WriteAsync(context, 400, "UnsupportedSubprotocol", "None of the requested subprotocols is supported.");
            return;
        }

        var state = hubs.Get(hub);
        var query = context.Request.Query;
        var recoverId = query["awps_connection_id"].ToString();
        if (!string.IsNullOrEmpty(recoverId))
        {
            // Recovery needs no new access token: the reconnection token is the credential.
            using var socket = await context.WebSockets.AcceptWebSocketAsync(protocol.Name);
            var transport = state.NewTransport(socket, context);
            var resumed = state.Resume(transport, recoverId, query["awps_reconnection_token"].ToString(), protocol.Protocol);
            if (resumed is null)
            {
                LogRecoveryRefused(logger, hub, recoverId);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "The session does not exist or has expired.", timeout.Token);
                }
                catch (Exception e) when (e is WebSocketException or OperationCanceledException)
                {
                }

                return;
            }

            await RunAsync(context, state, resumed, transport);
            return;
        }

        var claims = Authenticate(context, hub);
        if (claims is null)
        {
            await HubErrors.WriteAsync(context, 401, "Unauthorized", "The access token is missing, invalid or expired.");
            return;
        }

        using (var socket = await context.WebSockets.AcceptWebSocketAsync(protocol.Name))
        {
            var transport = state.NewTransport(socket, context);
            var session = state.Connect(transport, claims, protocol.Protocol);
            await RunAsync(context, state, session, transport);
        }
    }

    private HubTokenClaims? Authenticate(HttpContext context, string hub)
    {
        var token = context.Request.Query["access_token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                token = header["Bearer ".Length..].Trim();
            }
        }

        var authorities = RequestAuthorities.For(context, options.Value.Endpoint);
        string[] paths = ["/client/hubs/" + hub];
        return HubJwt.Validate(token, [options.Value.AccessKey], time.GetUtcNow(), aud => AudienceMatcher.Matches(aud, authorities, paths));
    }

    private async Task RunAsync(HttpContext context, HubState state, ClientSession session, Transport transport)
    {
        var socket = transport.Socket;
        var writer = transport.RunWriterAsync(CancellationToken.None);
        var graceful = false;
        // Small per-connection footprint: a 4 KiB receive buffer; a message larger than one read is
        // assembled in a writer that exists only while that message is in flight.
        var buffer = ArrayPool<byte>.Shared.Rent(4 * 1024);
        ArrayBufferWriter<byte>? partial = null;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(), context.RequestAborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    graceful = true;
                    break;
                }

                if (partial is null && result.EndOfMessage)
                {
                    Dispatch(state, session, result.MessageType, buffer.AsSpan(0, result.Count));
                    continue;
                }

                partial ??= new ArrayBufferWriter<byte>(16 * 1024);
                if (partial.WrittenCount + result.Count > MaxClientMessageBytes)
                {
                    state.EndSession(session, "The message is too big.", WebSocketCloseStatus.MessageTooBig);
                    break;
                }

                partial.Write(buffer.AsSpan(0, result.Count));
                if (result.EndOfMessage)
                {
                    Dispatch(state, session, result.MessageType, partial.WrittenSpan);
                    partial = null;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            graceful = false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        state.TransportClosed(session, transport, graceful);
        if (graceful)
        {
            transport.CloseAfterQueued(WebSocketCloseStatus.NormalClosure, "");
        }
        else
        {
            transport.Abort();
        }

        await Task.WhenAny(writer, Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None));
        transport.MarkCompleted();
    }

    private void Dispatch(HubState state, ClientSession session, WebSocketMessageType type, ReadOnlySpan<byte> frame)
    {
        if (session.Protocol == ClientProtocol.Raw)
        {
            var payload = type == WebSocketMessageType.Binary ? MessagePayload.Binary(frame) : MessagePayload.Text(System.Text.Encoding.UTF8.GetString(frame));
            _ = events.UserEventAsync(session, "message", payload);
            return;
        }

        if (type != WebSocketMessageType.Text)
        {
            return;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(frame.ToArray());
        }
        catch (JsonException)
        {
            LogBadFrame(logger, session.ConnectionId);
            return;
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return;
            }

            long? ackId = root.TryGetProperty("ackId", out var a) && a.ValueKind == JsonValueKind.Number && a.TryGetInt64(out var id) ? id : null;
            switch (typeElement.GetString())
            {
                case "ping":
                    state.SendControl(session, Frames.Pong);
                    break;
                case "sequenceAck":
                    if (root.TryGetProperty("sequenceId", out var seq) && seq.ValueKind == JsonValueKind.Number && seq.TryGetUInt64(out var sequenceId))
                    {
                        session.Acknowledge(sequenceId);
                    }

                    break;
                case "joinGroup":
                case "leaveGroup":
                    JoinOrLeave(state, session, root, ackId, join: typeElement.ValueEquals("joinGroup"));
                    break;
                case "sendToGroup":
                    SendToGroup(state, session, root, ackId);
                    break;
                case "event":
                    UserEvent(state, session, root, ackId);
                    break;
            }
        }
    }

    private static void JoinOrLeave(HubState state, ClientSession session, JsonElement root, long? ackId, bool join)
    {
        if (IsDuplicate(state, session, ackId))
        {
            return;
        }

        var group = GroupOf(root);
        if (group is null)
        {
            Ack(state, session, ackId, AckError.InternalServerError, "A group name of 1 to 1024 characters is required.");
            return;
        }

        if (!session.Roles.CanJoinOrLeave(group))
        {
            Ack(state, session, ackId, AckError.Forbidden);
            return;
        }

        if (join)
        {
            state.AddToGroup(session, group);
        }
        else
        {
            state.RemoveFromGroup(session, group);
        }

        Ack(state, session, ackId, null);
    }

    private static void SendToGroup(HubState state, ClientSession session, JsonElement root, long? ackId)
    {
        if (IsDuplicate(state, session, ackId))
        {
            return;
        }

        var group = GroupOf(root);
        if (group is null)
        {
            Ack(state, session, ackId, AckError.InternalServerError, "A group name of 1 to 1024 characters is required.");
            return;
        }

        if (!session.Roles.CanSendTo(group))
        {
            Ack(state, session, ackId, AckError.Forbidden);
            return;
        }

        var payload = PayloadOf(root);
        if (payload is null)
        {
            Ack(state, session, ackId, AckError.InternalServerError, "The data does not match the dataType.");
            return;
        }

        var noEcho = root.TryGetProperty("noEcho", out var n) && n.ValueKind == JsonValueKind.True;
        state.SendToGroup(group, HubMessage.FromGroup(group, payload, session.UserId), noEcho ? [session.ConnectionId] : null);
        Ack(state, session, ackId, null);
    }

    private void UserEvent(HubState state, ClientSession session, JsonElement root, long? ackId)
    {
        if (IsDuplicate(state, session, ackId))
        {
            return;
        }

        var name = root.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        var payload = PayloadOf(root);
        if (string.IsNullOrEmpty(name) || payload is null)
        {
            Ack(state, session, ackId, AckError.InternalServerError, "An event name and data matching the dataType are required.");
            return;
        }

        // The event handler is called off the receive loop; the ack follows its answer.
        _ = events.UserEventAsync(session, name, payload).ContinueWith(
            t =>
            {
                var ok = t.IsCompletedSuccessfully && t.Result.Success;
                if (ok && t.Result.Reply is { } reply)
                {
                    state.SendTo(session, HubMessage.FromServer(reply));
                }

                Ack(state, session, ackId, ok ? null : AckError.InternalServerError, ok ? null : "The event handler did not accept the event.");
            },
            TaskScheduler.Default);
    }

    private static bool IsDuplicate(HubState state, ClientSession session, long? ackId)
    {
        if (ackId is { } id && !session.TryRegisterAckId(id))
        {
            Ack(state, session, ackId, AckError.Duplicate);
            return true;
        }

        return false;
    }

    private static void Ack(HubState state, ClientSession session, long? ackId, AckError? error, string? message = null)
    {
        if (ackId is { } id)
        {
            state.SendControl(session, Frames.Ack(id, error, message));
        }
    }

    private static string? GroupOf(JsonElement root) =>
        root.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.String && g.GetString() is { Length: > 0 and <= 1024 } name ? name : null;

    private static MessagePayload? PayloadOf(JsonElement root)
    {
        if (!root.TryGetProperty("data", out var data))
        {
            return null;
        }

        var dataType = root.TryGetProperty("dataType", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : "json";
        try
        {
            return MessagePayload.FromClientData(dataType, data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Debug, Message = "Hub {Hub}: recovery of {ConnectionId} refused (unknown or expired session)")]
    private static partial void LogRecoveryRefused(ILogger logger, string hub, string connectionId);

    [LoggerMessage(EventId = 111, Level = LogLevel.Debug, Message = "Connection {ConnectionId} sent a frame that is not JSON; ignored")]
    private static partial void LogBadFrame(ILogger logger, string connectionId);
}

/// <summary>The authorities (host[:port]) a request may name in a token audience.</summary>
internal static class RequestAuthorities
{
    public static string[] For(HttpContext context, string configuredEndpoint)
    {
        var own = AudienceMatcher.StripDefaultPort(context.Request.Host.Value ?? "", context.Request.Scheme);
        return Uri.TryCreate(configuredEndpoint, UriKind.Absolute, out var uri)
            ? [own, AudienceMatcher.StripDefaultPort(uri.Authority, uri.Scheme)]
            : [own];
    }
}
