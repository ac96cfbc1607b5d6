using System.Security.Cryptography;
using System.Text;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// A logical client connection (a connection id). On the reliable protocol it outlives its socket for
/// the reconnect window and keeps every un-acknowledged message, numbered from 1, for replay.
/// All mutable state is guarded by <see cref="Sync"/>; group membership by the hub's gate.
/// </summary>
internal sealed class ClientSession
{
    /// <summary>Ack ids remembered for Duplicate detection; older ones are forgotten (bounded memory).</summary>
    private const int MaxRememberedAckIds = 4096;

    private readonly Queue<(ulong SequenceId, byte[] Frame)> _unacked = new();
    private readonly HashSet<long> _ackIds = [];
    private readonly Queue<long> _ackIdOrder = new();
    private readonly int _maxUnacked;
    private readonly long _maxBytes;
    private ulong _lastSequenceId;
    private long _unackedBytes;
    private Transport? _transport;
    private bool _ended;

    public ClientSession(string hub, string connectionId, string? userId, ClientProtocol protocol, RoleSet roles, int maxUnacked, long maxBytes)
    {
        Hub = hub;
        ConnectionId = connectionId;
        UserId = userId;
        Protocol = protocol;
        Roles = roles;
        _maxUnacked = maxUnacked;
        _maxBytes = maxBytes;
        ReconnectionToken = protocol == ClientProtocol.JsonReliable ? NewId(32) : null;
    }

    public object Sync { get; } = new();

    public string Hub { get; }

    public string ConnectionId { get; }

    public string? UserId { get; }

    public ClientProtocol Protocol { get; }

    public RoleSet Roles { get; }

    public string? ReconnectionToken { get; }

    /// <summary>Groups this connection is in; guarded by the hub's gate.</summary>
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Pending reconnect-window timer while detached; guarded by <see cref="Sync"/>.</summary>
    public ITimer? ExpiryTimer { get; set; }

    /// <summary>Tail of this connection's event-handler deliveries (keeps them in order); guarded by <see cref="Sync"/>.</summary>
    public Task EventTail { get; set; } = Task.CompletedTask;

    public bool IsEnded
    {
        get
        {
            lock (Sync)
            {
                return _ended;
            }
        }
    }

    public bool IsAttached
    {
        get
        {
            lock (Sync)
            {
                return _transport is not null;
            }
        }
    }

    public (int Count, long Bytes, long Queued) BufferStats
    {
        get
        {
            lock (Sync)
            {
                return (_unacked.Count, _unackedBytes, _transport?.QueuedBytes ?? 0);
            }
        }
    }

    public static string NewId(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Attach(Transport transport)
    {
        lock (Sync)
        {
            _transport = transport;
        }
    }

    /// <summary>
    /// Takes a new socket for this session if the token matches and the session is alive, replaying
    /// every un-acked message in order. Returns the socket it replaced (to abort), or false.
    /// </summary>
    public bool TryResume(Transport transport, string? reconnectionToken, out Transport? replaced)
    {
        replaced = null;
        if (ReconnectionToken is null || reconnectionToken is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(ReconnectionToken), Encoding.UTF8.GetBytes(reconnectionToken)))
        {
            return false;
        }

        lock (Sync)
        {
            if (_ended)
            {
                return false;
            }

            ExpiryTimer?.Dispose();
            ExpiryTimer = null;
            replaced = _transport;
            _transport = transport;
            foreach (var (_, frame) in _unacked)
            {
                transport.TryEnqueue(frame);
            }

            return true;
        }
    }

    /// <summary>The socket went away; true when it was the current one (the session is now detached).</summary>
    public bool Detach(Transport transport)
    {
        lock (Sync)
        {
            if (!ReferenceEquals(_transport, transport))
            {
                return false;
            }

            _transport = null;
            return !_ended;
        }
    }

    /// <summary>Marks the session ended; false if it already was. <paramref name="transport"/> is the socket to close.</summary>
    public bool End(out Transport? transport)
    {
        lock (Sync)
        {
            transport = null;
            if (_ended)
            {
                return false;
            }

            _ended = true;
            ExpiryTimer?.Dispose();
            ExpiryTimer = null;
            transport = _transport;
            _transport = null;
            _unacked.Clear();
            _unackedBytes = 0;
            return true;
        }
    }

    /// <summary>Queues a published message. False means the client is too slow: drop the session.</summary>
    public bool Deliver(HubMessage message)
    {
        lock (Sync)
        {
            if (_ended)
            {
                return true;
            }

            switch (Protocol)
            {
                case ClientProtocol.JsonReliable:
                    var frame = Frames.Sequenced(++_lastSequenceId, message.JsonTail);
                    if (_unacked.Count >= _maxUnacked || _unackedBytes + frame.Length > _maxBytes)
                    {
                        return false;
                    }

                    _unacked.Enqueue((_lastSequenceId, frame));
                    _unackedBytes += frame.Length;
                    return _transport is null || _transport.TryEnqueue(frame);
                case ClientProtocol.Json:
                    return _transport is null || _transport.TryEnqueue(Frames.Plain(message.JsonTail));
                default:
                    return _transport is null || _transport.TryEnqueue(message.Payload.Raw, message.Payload.RawMessageType);
            }
        }
    }

    /// <summary>Queues an unsequenced frame (ack, pong, connected) on the current socket only.</summary>
    public bool SendControl(byte[] frame)
    {
        lock (Sync)
        {
            return _ended || _transport is null || _transport.TryEnqueue(frame);
        }
    }

    /// <summary>Cumulative <c>sequenceAck</c>: forget everything up to and including <paramref name="sequenceId"/>.</summary>
    public void Acknowledge(ulong sequenceId)
    {
        lock (Sync)
        {
            while (_unacked.TryPeek(out var head) && head.SequenceId <= sequenceId)
            {
                _unacked.Dequeue();
                _unackedBytes -= head.Frame.Length;
            }
        }
    }

    /// <summary>False when this ack id was already used on this logical connection.</summary>
    public bool TryRegisterAckId(long ackId)
    {
        lock (Sync)
        {
            if (!_ackIds.Add(ackId))
            {
                return false;
            }

            _ackIdOrder.Enqueue(ackId);
            if (_ackIdOrder.Count > MaxRememberedAckIds)
            {
                _ackIds.Remove(_ackIdOrder.Dequeue());
            }

            return true;
        }
    }

    /// <summary>Aborts the current socket (test hook); false when there is none.</summary>
    public bool AbortCurrentTransport()
    {
        Transport? t;
        lock (Sync)
        {
            t = _transport;
        }

        t?.Abort();
        return t is not null;
    }

    /// <summary>True when the session is still detached (the reconnect window may expire it).</summary>
    public bool IsDetachedAndAlive()
    {
        lock (Sync)
        {
            return !_ended && _transport is null;
        }
    }
}
