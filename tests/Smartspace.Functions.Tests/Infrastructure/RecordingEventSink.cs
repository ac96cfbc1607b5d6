using System.Collections.Concurrent;
using Smartspace.Functions.Realtime;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>Keeps the last events in memory; the tests' tap beside the hub (not registered in the product, where it only held memory).</summary>
public sealed class RecordingEventPublisher : IAgentEventPublisher
{
    private readonly ConcurrentQueue<AgentEvent> events = new();

    public IReadOnlyCollection<AgentEvent> Events => events;

    /// <summary>How long <see cref="WaitForAsync"/> waits unless told otherwise.</summary>
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The first recorded event matching <paramref name="predicate"/>, waiting for it (bounded by <paramref name="timeout"/>,
    /// 10 s by default; polled every 20 ms): an inbound message's event is published by the customer's entity right after
    /// it places the message, a moment after the webhook's 200 and even after the staged row is gone. Throws
    /// <see cref="TimeoutException"/> naming <paramref name="what"/> and the events recorded so far.
    /// </summary>
    public async Task<AgentEvent> WaitForAsync(Func<AgentEvent, bool> predicate, TimeSpan? timeout = null, string what = "the expected event")
    {
        var limit = timeout ?? DefaultWait;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            foreach (var recorded in events)
            {
                if (predicate(recorded))
                {
                    return recorded;
                }
            }

            if (clock.Elapsed >= limit)
            {
                var seen = events.TakeLast(30).Select(e => $"{e.Type} {e.ConversationId} {e.AgentId} v{e.Version}");
                throw new TimeoutException($"No agent event matched {what} within {limit.TotalSeconds:0.#} s; recorded so far ({events.Count}): {string.Join("; ", seen)}");
            }

            await Task.Delay(20);
        }
    }

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
