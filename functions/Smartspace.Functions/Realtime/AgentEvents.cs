using System.Text.Json;
using System.Text.Json.Serialization;

namespace Smartspace.Functions.Realtime;

/// <summary>Names of agent-visible changes (R18/R19). Every event carries the conversation id and its version.</summary>
public static class AgentEventTypes
{
    public const string ConversationAssigned = "conversation.assigned";
    public const string ConversationOpened = "conversation.opened";
    public const string ConversationWaiting = "conversation.waiting";
    public const string ConversationQueued = "conversation.queued";
    public const string ConversationClosed = "conversation.closed";
    public const string MessageReceived = "message.received";
    public const string MessageSent = "message.sent";
    public const string MessageStatusChanged = "message.status";
    public const string WindowExpired = "window.expired";
    public const string TemplateChanged = "template.changed";
    public const string CapacityChanged = "agent.capacity";
}

/// <summary>
/// One agent-visible change. <see cref="Version"/> is the conversation's version after the change (or the
/// agent's version for capacity events): clients drop events at or below the version they hold and ask the
/// API for everything after it when they see a gap (R19).
/// </summary>
public sealed record AgentEvent(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("tenantId")] string TenantId,
    [property: JsonPropertyName("conversationId")] string? ConversationId,
    [property: JsonPropertyName("version")] long Version,
    [property: JsonPropertyName("agentId")] string? AgentId,
    [property: JsonPropertyName("data")] object? Data = null);

/// <summary>Pushes agent events to the agent (user id = agent id) and to the contact center's supervisors (a group).</summary>
public interface IAgentEventPublisher
{
    Task PublishAsync(AgentEvent agentEvent, CancellationToken cancellationToken);
}

public static class RealtimeGroups
{
    /// <summary>Supervisors of a contact center: they see every change of it.</summary>
    public static string Supervisors(string tenantId) => $"supervisors.{tenantId}";

    /// <summary>Everyone of a contact center: contact-center-wide changes (templates).</summary>
    public static string Everyone(string tenantId) => $"tenant.{tenantId}";
}

/// <summary>Fans one publish out to several publishers; a failing one is logged and does not stop the others (clients resync).</summary>
public sealed class CompositeEventPublisher(IEnumerable<IAgentEventSink> sinks, ILogger<CompositeEventPublisher> logger) : IAgentEventPublisher
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task PublishAsync(AgentEvent agentEvent, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(agentEvent, Json);
        foreach (var sink in sinks)
        {
            try
            {
                await sink.DeliverAsync(agentEvent, payload, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // Only the caller's own cancellation stops the fan-out; a sink's timeout is a failed delivery like any other.
                logger.LogWarning(ex, "Publishing {EventType} for conversation {ConversationId} failed; clients will resync", agentEvent.Type, agentEvent.ConversationId);
            }
        }
    }
}

/// <summary>One destination of agent events (the Web PubSub publisher, the in-memory recorder).</summary>
public interface IAgentEventSink
{
    Task DeliverAsync(AgentEvent agentEvent, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
