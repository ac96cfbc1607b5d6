using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Smartspace.Realtime.Auth;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// One hub's connections, users and groups. Membership changes take one gate (they are rare and
/// cheap); publishing snapshots the receivers under the gate and queues outside it, so a publish never
/// waits on a socket. A receiver whose buffer is full is dropped, session and all.
/// </summary>
internal sealed partial class HubState
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ClientSession> _connections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ClientSession>> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<ClientSession>> _groups = new(StringComparer.Ordinal);

    /// <summary>Groups users were added to via REST; applied to their current and future connections.</summary>
    private readonly Dictionary<string, HashSet<string>> _userGroups = new(StringComparer.Ordinal);

    private readonly HubSettings _settings;
    private readonly IHubEventSink _events;
    private readonly ILogger _logger;

    public HubState(string name, HubSettings settings, IHubEventSink events, ILogger logger)
    {
        Name = name;
        _settings = settings;
        _events = events;
        _logger = logger;
    }

    public string Name { get; }

    public int ConnectionCount
    {
        get
        {
            lock (_gate)
            {
                return _connections.Count;
            }
        }
    }

    public ClientSession? Find(string connectionId)
    {
        lock (_gate)
        {
            return _connections.GetValueOrDefault(connectionId);
        }
    }

    public Transport NewTransport(WebSocket socket, Microsoft.AspNetCore.Http.HttpContext context) =>
        new(socket, context, _settings.MaxUnackedMessages + 64, _settings.MaxBufferedBytes + (64 * 1024));

    /// <summary>A brand-new connection: sends <c>connected</c>, joins token and user groups, tells the event handler.</summary>
    public ClientSession Connect(Transport transport, HubTokenClaims claims, ClientProtocol protocol)
    {
        var session = new ClientSession(Name, ClientSession.NewId(16), claims.UserId, protocol, new RoleSet(claims.Roles), _settings.MaxUnackedMessages, _settings.MaxBufferedBytes);
        session.Attach(transport);
        if (protocol != ClientProtocol.Raw)
        {
            session.SendControl(Frames.Connected(session.UserId, session.ConnectionId, session.ReconnectionToken));
        }

        lock (_gate)
        {
            _connections[session.ConnectionId] = session;
            if (session.UserId is { } user)
            {
                Bag(_users, user).Add(session);
                if (_userGroups.TryGetValue(user, out var userGroups))
                {
                    foreach (var g in userGroups)
                    {
                        JoinLocked(session, g);
                    }
                }
            }

            foreach (var g in claims.Groups)
            {
                JoinLocked(session, g);
            }
        }

        LogConnected(_logger, Name, session.ConnectionId, protocol);
        _events.Connected(session);
        return session;
    }

    /// <summary>Reattaches a socket to a detached (or still attached) reliable session.</summary>
    public ClientSession? Resume(Transport transport, string connectionId, string? reconnectionToken, ClientProtocol protocol)
    {
        var session = Find(connectionId);
        if (session is null || session.Protocol != protocol || !session.TryResume(transport, reconnectionToken, out var replaced))
        {
            return null;
        }

        replaced?.Abort();
        LogResumed(_logger, Name, connectionId);
        return session;
    }

    /// <summary>
    /// A socket ended. A graceful close (or any close on a non-reliable protocol) ends the session; an
    /// abnormal drop on the reliable protocol keeps it for the reconnect window.
    /// </summary>
    public void TransportClosed(ClientSession session, Transport transport, bool graceful)
    {
        if (!session.Detach(transport))
        {
            return;
        }

        if (graceful || session.Protocol != ClientProtocol.JsonReliable)
        {
            EndSession(session, graceful ? "Connection closed by the client." : "Connection dropped.", closeStatus: null);
            return;
        }

        LogDetached(_logger, Name, session.ConnectionId);
        lock (session.Sync)
        {
            session.ExpiryTimer?.Dispose();
            session.ExpiryTimer = _settings.Time.CreateTimer(
                static state =>
                {
                    var (hub, s) = ((HubState, ClientSession))state!;
                    if (s.IsDetachedAndAlive())
                    {
                        hub.EndSession(s, "The reconnect window expired.", closeStatus: null);
                    }
                },
                (this, session),
                _settings.ReconnectWindow,
                Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Ends a session for good: leaves every group, closes its socket (with a <c>disconnected</c> message
    /// and <paramref name="closeStatus"/>, or by aborting when null) and tells the event handler.
    /// </summary>
    public void EndSession(ClientSession session, string reason, WebSocketCloseStatus? closeStatus)
    {
        if (!session.End(out var transport))
        {
            return;
        }

        lock (_gate)
        {
            _connections.Remove(session.ConnectionId);
            if (session.UserId is { } user && _users.TryGetValue(user, out var sessions))
            {
                sessions.Remove(session);
                if (sessions.Count == 0)
                {
                    _users.Remove(user);
                }
            }

            foreach (var g in session.Groups.ToList())
            {
                LeaveLocked(session, g);
            }
        }

        if (transport is not null)
        {
            if (closeStatus is { } status && session.Protocol != ClientProtocol.Raw)
            {
                transport.TryEnqueue(Frames.Disconnected(reason));
            }

            if (closeStatus is { } s2)
            {
                transport.CloseAfterQueued(s2, reason);
            }
            else
            {
                transport.Abort();
            }
        }

        LogEnded(_logger, Name, session.ConnectionId, reason);
        _events.Disconnected(session, reason);
    }

    private void Overflowed(ClientSession session)
    {
        LogOverflow(_logger, Name, session.ConnectionId, _settings.MaxUnackedMessages, _settings.MaxBufferedBytes);
        EndSession(session, "The client did not keep up: too many un-acknowledged or buffered messages.", closeStatus: null);
    }

    // ---- membership ----

    public void AddToGroup(ClientSession session, string group)
    {
        lock (_gate)
        {
            if (_connections.ContainsKey(session.ConnectionId))
            {
                JoinLocked(session, group);
            }
        }
    }

    public void RemoveFromGroup(ClientSession session, string group)
    {
        lock (_gate)
        {
            LeaveLocked(session, group);
        }
    }

    public bool AddConnectionToGroup(string connectionId, string group)
    {
        lock (_gate)
        {
            if (!_connections.TryGetValue(connectionId, out var s))
            {
                return false;
            }

            JoinLocked(s, group);
            return true;
        }
    }

    public void RemoveConnectionFromGroup(string connectionId, string group)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var s))
            {
                LeaveLocked(s, group);
            }
        }
    }

    public void RemoveConnectionFromAllGroups(string connectionId)
    {
        lock (_gate)
        {
            if (_connections.TryGetValue(connectionId, out var s))
            {
                foreach (var g in s.Groups.ToList())
                {
                    LeaveLocked(s, g);
                }
            }
        }
    }

    public void AddUserToGroup(string userId, string group)
    {
        lock (_gate)
        {
            Bag(_userGroups, userId).Add(group);
            if (_users.TryGetValue(userId, out var sessions))
            {
                foreach (var s in sessions)
                {
                    JoinLocked(s, group);
                }
            }
        }
    }

    public void RemoveUserFromGroup(string userId, string group)
    {
        lock (_gate)
        {
            if (_userGroups.TryGetValue(userId, out var groups))
            {
                groups.Remove(group);
                if (groups.Count == 0)
                {
                    _userGroups.Remove(userId);
                }
            }

            if (_users.TryGetValue(userId, out var sessions))
            {
                foreach (var s in sessions)
                {
                    LeaveLocked(s, group);
                }
            }
        }
    }

    public void RemoveUserFromAllGroups(string userId)
    {
        lock (_gate)
        {
            _userGroups.Remove(userId);
            if (_users.TryGetValue(userId, out var sessions))
            {
                foreach (var s in sessions)
                {
                    foreach (var g in s.Groups.ToList())
                    {
                        LeaveLocked(s, g);
                    }
                }
            }
        }
    }

    public bool ConnectionExists(string connectionId)
    {
        lock (_gate)
        {
            return _connections.ContainsKey(connectionId);
        }
    }

    public bool UserExists(string userId)
    {
        lock (_gate)
        {
            return _users.ContainsKey(userId);
        }
    }

    public bool GroupExists(string group)
    {
        lock (_gate)
        {
            return _groups.ContainsKey(group);
        }
    }

    public IReadOnlyList<(string ConnectionId, string? UserId)> GroupMembers(string group)
    {
        lock (_gate)
        {
            return _groups.TryGetValue(group, out var members)
                ? members.Select(s => (s.ConnectionId, s.UserId)).ToList()
                : [];
        }
    }

    // ---- publishing ----

    public void SendToAll(HubMessage message, IReadOnlyCollection<string>? excluded = null, ConnectionFilter? filter = null) =>
        Deliver(Snapshot(() => Where(_connections.Values, filter)), message, excluded);

    public void SendToUser(string userId, HubMessage message, ConnectionFilter? filter = null) =>
        Deliver(Snapshot(() => Where(_users.GetValueOrDefault(userId), filter)), message, null);

    public void SendToGroup(string group, HubMessage message, IReadOnlyCollection<string>? excluded = null, ConnectionFilter? filter = null) =>
        Deliver(Snapshot(() => Where(_groups.GetValueOrDefault(group), filter)), message, excluded);

    /// <summary>Adds every connection the filter matches (all of them without one) to each group.</summary>
    public void AddToGroups(IReadOnlyList<string> groups, ConnectionFilter? filter) => ChangeGroups(groups, filter, JoinLocked);

    /// <summary>Removes every connection the filter matches (all of them without one) from each group.</summary>
    public void RemoveFromGroups(IReadOnlyList<string> groups, ConnectionFilter? filter) => ChangeGroups(groups, filter, LeaveLocked);

    private void ChangeGroups(IReadOnlyList<string> groups, ConnectionFilter? filter, Action<ClientSession, string> changeLocked)
    {
        lock (_gate)
        {
            foreach (var session in Where(_connections.Values, filter)!.ToList())
            {
                foreach (var group in groups)
                {
                    changeLocked(session, group);
                }
            }
        }
    }

    /// <summary>Call under <c>_gate</c>: a session's groups change under it.</summary>
    private static IEnumerable<ClientSession>? Where(IEnumerable<ClientSession>? sessions, ConnectionFilter? filter) =>
        filter is null || sessions is null ? sessions : sessions.Where(s => filter.Matches(new FilterSubject(s.ConnectionId, s.UserId, s.Groups, ProtocolName(s.Protocol))));

    private static string? ProtocolName(ClientProtocol protocol) => protocol switch
    {
        ClientProtocol.Json => ClientProtocols.JsonName,
        ClientProtocol.JsonReliable => ClientProtocols.JsonReliableName,
        _ => null,
    };

    public void SendToConnection(string connectionId, HubMessage message) =>
        Deliver(Snapshot(() => _connections.TryGetValue(connectionId, out var s) ? [s] : null), message, null);

    /// <summary>Sends to one session (e.g. a user-event reply); drops it when its buffer is full.</summary>
    public void SendTo(ClientSession session, HubMessage message) => Deliver([session], message, null);

    public void SendControl(ClientSession session, byte[] frame)
    {
        if (!session.SendControl(frame))
        {
            Overflowed(session);
        }
    }

    // ---- closing ----

    public bool CloseConnection(string connectionId, string reason)
    {
        var s = Find(connectionId);
        if (s is null)
        {
            return false;
        }

        EndSession(s, reason, WebSocketCloseStatus.PolicyViolation);
        return true;
    }

    public void CloseAll(IReadOnlyCollection<string>? excluded, string reason) =>
        Close(Snapshot(() => _connections.Values), excluded, reason);

    public void CloseGroup(string group, IReadOnlyCollection<string>? excluded, string reason) =>
        Close(Snapshot(() => _groups.GetValueOrDefault(group)), excluded, reason);

    public void CloseUser(string userId, IReadOnlyCollection<string>? excluded, string reason) =>
        Close(Snapshot(() => _users.GetValueOrDefault(userId)), excluded, reason);

    /// <summary>Test hook: drop the socket without a close frame, as a network failure would.</summary>
    public bool AbortTransport(string connectionId)
    {
        var s = Find(connectionId);
        return s is not null && s.AbortCurrentTransport();
    }

    public void AbortAllTransports()
    {
        foreach (var s in Snapshot(() => _connections.Values))
        {
            s.AbortCurrentTransport();
        }
    }

    private void Close(ClientSession[] sessions, IReadOnlyCollection<string>? excluded, string reason)
    {
        foreach (var s in sessions)
        {
            if (excluded is null || !excluded.Contains(s.ConnectionId))
            {
                EndSession(s, reason, WebSocketCloseStatus.PolicyViolation);
            }
        }
    }

    private ClientSession[] Snapshot(Func<IEnumerable<ClientSession>?> select)
    {
        lock (_gate)
        {
            return select()?.ToArray() ?? [];
        }
    }

    private void Deliver(ClientSession[] sessions, HubMessage message, IReadOnlyCollection<string>? excluded)
    {
        foreach (var s in sessions)
        {
            if (excluded is not null && excluded.Contains(s.ConnectionId))
            {
                continue;
            }

            if (!s.Deliver(message))
            {
                Overflowed(s);
            }
        }
    }

    private void JoinLocked(ClientSession session, string group)
    {
        if (session.Groups.Add(group))
        {
            Bag(_groups, group).Add(session);
        }
    }

    private void LeaveLocked(ClientSession session, string group)
    {
        if (session.Groups.Remove(group) && _groups.TryGetValue(group, out var members))
        {
            members.Remove(session);
            if (members.Count == 0)
            {
                _groups.Remove(group);
            }
        }
    }

    private static HashSet<TValue> Bag<TValue>(Dictionary<string, HashSet<TValue>> map, string key)
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = [];
        }

        return set;
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Debug, Message = "Hub {Hub}: connection {ConnectionId} connected ({Protocol})")]
    private static partial void LogConnected(ILogger logger, string hub, string connectionId, ClientProtocol protocol);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Hub {Hub}: connection {ConnectionId} recovered")]
    private static partial void LogResumed(ILogger logger, string hub, string connectionId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Hub {Hub}: connection {ConnectionId} dropped; session kept for the reconnect window")]
    private static partial void LogDetached(ILogger logger, string hub, string connectionId);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Hub {Hub}: connection {ConnectionId} ended: {Reason}")]
    private static partial void LogEnded(ILogger logger, string hub, string connectionId, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Hub {Hub}: connection {ConnectionId} dropped as a slow client (caps: {MaxMessages} messages, {MaxBytes} bytes)")]
    private static partial void LogOverflow(ILogger logger, string hub, string connectionId, int maxMessages, long maxBytes);
}

/// <summary>The hub settings a <see cref="HubState"/> needs, taken from the options once.</summary>
internal sealed record HubSettings(TimeSpan ReconnectWindow, int MaxUnackedMessages, long MaxBufferedBytes, TimeProvider Time);
