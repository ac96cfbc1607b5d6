using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Hub;

/// <summary>
/// The embedded Web PubSub stand-in: every hub's connections, users and groups, in memory. One per
/// process (state is lost on restart, as with the official emulator). Hub names are case-insensitive.
/// </summary>
public sealed class EmbeddedHub
{
    private readonly ConcurrentDictionary<string, HubState> _hubs = new(StringComparer.OrdinalIgnoreCase);
    private readonly HubSettings _settings;
    private readonly IHubEventSink _events;
    private readonly ILogger<EmbeddedHub> _logger;

    internal EmbeddedHub(IOptions<WebPubSubOptions> options, TimeProvider time, IHubEventSink events, ILogger<EmbeddedHub> logger)
    {
        var o = options.Value;
        _settings = new HubSettings(o.ReconnectWindow, o.MaxUnackedMessages, o.MaxBufferedBytes, time);
        _events = events;
        _logger = logger;
    }

    /// <summary>Live (attached or recovering) connections of a hub.</summary>
    public int ConnectionCount(string hub) => _hubs.TryGetValue(hub, out var h) ? h.ConnectionCount : 0;

    internal HubState Get(string hub) => _hubs.GetOrAdd(hub, name => new HubState(name, _settings, _events, _logger));

    /// <summary>Host shutdown: drop every socket at once so the host does not wait for them (state is in memory anyway).</summary>
    public void AbortAll()
    {
        foreach (var hub in _hubs.Values)
        {
            hub.AbortAllTransports();
        }
    }

    /// <summary>Buffer figures of one connection, for tests and diagnostics: un-acked count/bytes and socket-queue bytes.</summary>
    public (int UnackedCount, long UnackedBytes, long QueuedBytes)? BufferStats(string hub, string connectionId) =>
        _hubs.TryGetValue(hub, out var h) && h.Find(connectionId) is { } s ? s.BufferStats : null;
}
