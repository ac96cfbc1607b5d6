using System.Collections.Concurrent;
using Smartspace.Functions.Realtime;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>Keeps the last events in memory; the tests' tap beside the hub (not registered in the product, where it only held memory).</summary>
public sealed class RecordingEventPublisher : IAgentEventPublisher
{
    private readonly ConcurrentQueue<AgentEvent> events = new();

    public IReadOnlyCollection<AgentEvent> Events => events;

    public Task PublishAsync(AgentEvent agentEvent, CancellationToken cancellationToken)
    {
        events.Enqueue(agentEvent);
        while (events.Count > 10_000 && events.TryDequeue(out _))
        {
        }

        return Task.CompletedTask;
    }
}

public sealed class RecordingEventSink(RecordingEventPublisher recorder) : IAgentEventSink
{
    public Task DeliverAsync(AgentEvent agentEvent, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        recorder.PublishAsync(agentEvent, cancellationToken);
}
