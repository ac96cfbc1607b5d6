namespace Smartspace.Realtime.Hub;

/// <summary>What the hub tells the application's event handler (connected, disconnected, user events).</summary>
internal interface IHubEventSink
{
    void Connected(ClientSession session);

    void Disconnected(ClientSession session, string reason);

    /// <summary>A client <c>event</c>; completes when the handler answered (or at once when there is none).</summary>
    Task<UserEventResult> UserEventAsync(ClientSession session, string eventName, MessagePayload payload);
}

/// <summary>Outcome of a user event: success, and optionally a payload to send back to that client.</summary>
internal sealed record UserEventResult(bool Success, MessagePayload? Reply = null)
{
    public static readonly UserEventResult Ok = new(true);
}

internal sealed class NoEventSink : IHubEventSink
{
    public void Connected(ClientSession session)
    {
    }

    public void Disconnected(ClientSession session, string reason)
    {
    }

    public Task<UserEventResult> UserEventAsync(ClientSession session, string eventName, MessagePayload payload) => Task.FromResult(UserEventResult.Ok);
}
