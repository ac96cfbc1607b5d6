namespace Smartspace.Realtime.Publishing;

/// <summary>
/// The handler's port for live updates. Payloads are JSON (UTF-8 bytes of one JSON value); clients
/// receive them as <c>dataType: "json"</c> messages: a send to a user as a server message
/// (<c>"from":"server"</c>, the official client's <c>server-message</c>), a send to a group as a group
/// message naming the group (<c>"from":"group"</c>, <c>group-message</c>), as Azure Web PubSub delivers
/// them. Sends are fire-and-forget like the service's: a target with no connection is not an error.
/// </summary>
public interface IRealtimePublisher
{
    Task SendToUserAsync(string userId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    Task SendToGroupAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken);

    /// <summary>Adds the user's current and future connections to the group.</summary>
    Task AddUserToGroupAsync(string group, string userId, CancellationToken cancellationToken);

    Task RemoveUserFromGroupAsync(string group, string userId, CancellationToken cancellationToken);
}

/// <summary>The service refused a publish (not a transient failure the HTTP pipeline retried away).</summary>
public sealed class RealtimePublishException(string message, int statusCode, string? errorCode) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public string? ErrorCode { get; } = errorCode;
}
