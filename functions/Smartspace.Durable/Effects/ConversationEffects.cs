using Microsoft.DurableTask;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Orchestrations;

namespace Smartspace.Durable.Effects;

/// <summary>
/// A start decided under both locks (R6, R7, R10, R12–R14): the request, the stage the conversation begins in, whether the
/// window was open, the bot or queue conversation it ends (R14), and both entities as they are once it is applied.
/// </summary>
public sealed record ConversationStarted(StartConversationInput Input, ConversationStage Stage, bool WindowOpen, string? Ended, CustomerConversationState Customer, AgentCapacityState Agent);

/// <summary>A finish decided under the locks (R16): the request, the time, and the agent's capacity once it is applied (null: no agent held it).</summary>
public sealed record ConversationFinished(FinishConversationInput Input, DateTimeOffset At, AgentCapacityState? Agent);

/// <summary>A queued customer given to an agent: the conversation, the agent, when, and the agent's capacity once it is applied.</summary>
public sealed record ConversationAssigned(string TenantId, string ChannelId, string CustomerKey, string ConversationId, string AgentId, DateTimeOffset At, AgentCapacityState Agent);

/// <summary>The bot handed its conversation to the queue.</summary>
public sealed record ConversationQueued(string TenantId, string ChannelId, string CustomerKey, string ConversationId, DateTimeOffset At);

/// <summary>
/// The port the orchestrations' activities call to make a decided change visible: the conversation, template message,
/// outbox, history and queue-index rows in Table Storage, and the agents' events. An orchestration calls it inside its
/// critical section <b>before</b> it changes the entities — a store that is down fails the activity and leaves both
/// entities as they were (the caller answers 503); rows already written by a failed attempt are found by the retry.
/// Every method is idempotent by the conversation id and its version: an activity runs at least once, and an event may
/// reach an agent twice with the same version (clients drop it, R19).
/// </summary>
public interface IConversationEffects
{
    Task StartedAsync(ConversationStarted started, CancellationToken ct);

    Task FinishedAsync(ConversationFinished finished, CancellationToken ct);

    Task AssignedAsync(ConversationAssigned assigned, CancellationToken ct);

    Task QueuedAsync(ConversationQueued queued, CancellationToken ct);
}

/// <summary>The activities over <see cref="IConversationEffects"/>, one per change (thin: the decision was the orchestration's).</summary>
public static class EffectActivities
{
    public const string Started = "ConversationStarted";
    public const string Finished = "ConversationFinished";
    public const string Assigned = "ConversationAssigned";
    public const string Queued = "ConversationQueued";

    /// <summary>A store briefly down is retried for about a minute before the orchestration gives up (503, nothing changed).</summary>
    public static readonly TaskOptions Retries = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 5, firstRetryInterval: TimeSpan.FromMilliseconds(500), backoffCoefficient: 2));

    public static EffectActivity<ConversationStarted> ForStarted(IConversationEffects effects) => new(effects.StartedAsync);

    public static EffectActivity<ConversationFinished> ForFinished(IConversationEffects effects) => new(effects.FinishedAsync);

    public static EffectActivity<ConversationAssigned> ForAssigned(IConversationEffects effects) => new(effects.AssignedAsync);

    public static EffectActivity<ConversationQueued> ForQueued(IConversationEffects effects) => new(effects.QueuedAsync);
}

/// <summary>An activity that applies one decided change through its <see cref="IConversationEffects"/> method.</summary>
public sealed class EffectActivity<TChange>(Func<TChange, CancellationToken, Task> apply) : TaskActivity<TChange, bool>
{
    public override async Task<bool> RunAsync(TaskActivityContext context, TChange input)
    {
        await apply(input, CancellationToken.None);
        return true;
    }
}
