using System.Collections.Concurrent;
using Smartspace.Durable.Effects;

namespace Smartspace.Durable.Tests.Orchestrations;

/// <summary>
/// The effects port as the tests see it: every change an orchestration made visible, in order. The product writes rows
/// and events here (Tables); the rules under test are the entities', so recording is enough.
/// </summary>
public sealed class RecordingEffects : IConversationEffects
{
    public ConcurrentQueue<object> Calls { get; } = new();

    public IEnumerable<ConversationStarted> Started => Calls.OfType<ConversationStarted>();

    public IEnumerable<ConversationFinished> Finished => Calls.OfType<ConversationFinished>();

    public IEnumerable<ConversationAssigned> Assigned => Calls.OfType<ConversationAssigned>();

    public IEnumerable<ConversationQueued> Queued => Calls.OfType<ConversationQueued>();

    public Task StartedAsync(ConversationStarted started, CancellationToken ct) => Record(started);

    public Task FinishedAsync(ConversationFinished finished, CancellationToken ct) => Record(finished);

    public Task AssignedAsync(ConversationAssigned assigned, CancellationToken ct) => Record(assigned);

    public Task QueuedAsync(ConversationQueued queued, CancellationToken ct) => Record(queued);

    private Task Record(object change)
    {
        Calls.Enqueue(change);
        return Task.CompletedTask;
    }
}
