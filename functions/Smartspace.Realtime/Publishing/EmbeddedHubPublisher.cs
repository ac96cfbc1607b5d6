using Microsoft.Extensions.Options;
using Smartspace.Realtime.Hub;
using Smartspace.Realtime.Options;

namespace Smartspace.Realtime.Publishing;

/// <summary>In-process shortcut to the embedded hub: the same frames as the REST API, without HTTP.</summary>
public sealed class EmbeddedHubPublisher(EmbeddedHub hub, IOptions<WebPubSubOptions> options) : IRealtimePublisher
{
    private HubState State => hub.Get(options.Value.Hub);

    public Task SendToUserAsync(string userId, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        State.SendToUser(userId, HubMessage.FromServer(MessagePayload.Json(json.Span)));
        return Task.CompletedTask;
    }

    public Task SendToGroupAsync(string group, ReadOnlyMemory<byte> json, CancellationToken cancellationToken)
    {
        State.SendToGroup(group, HubMessage.FromServerToGroup(group, MessagePayload.Json(json.Span)));
        return Task.CompletedTask;
    }

    public Task AddUserToGroupAsync(string group, string userId, CancellationToken cancellationToken)
    {
        State.AddUserToGroup(userId, group);
        return Task.CompletedTask;
    }

    public Task RemoveUserFromGroupAsync(string group, string userId, CancellationToken cancellationToken)
    {
        State.RemoveUserFromGroup(userId, group);
        return Task.CompletedTask;
    }
}
