using Smartspace.Realtime.Publishing;

namespace Smartspace.Functions.Realtime;

/// <summary>
/// Delivers agent events over Web PubSub: to the agent concerned (user id = agent id), to the contact
/// center's supervisors (a group), and contact-center-wide changes (templates) to everyone of it (a group).
/// A client therefore listens for both kinds, as Azure delivers them: the agent's own events as server
/// messages (<c>server-message</c>), the groups' as group messages naming <see cref="RealtimeGroups"/>'
/// group (<c>group-message</c>).
/// </summary>
public sealed class RealtimeEventSink(IRealtimePublisher publisher) : IAgentEventSink
{
    public async Task DeliverAsync(AgentEvent agentEvent, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        if (agentEvent.AgentId is { } agentId)
        {
            await publisher.SendToUserAsync(agentId, payload, cancellationToken);
        }

        if (agentEvent.AgentId is null && agentEvent.ConversationId is null)
        {
            await publisher.SendToGroupAsync(RealtimeGroups.Everyone(agentEvent.TenantId), payload, cancellationToken);
            return;
        }

        await publisher.SendToGroupAsync(RealtimeGroups.Supervisors(agentEvent.TenantId), payload, cancellationToken);
    }
}
