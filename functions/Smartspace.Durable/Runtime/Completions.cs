using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.Command;
using DurableTask.Core.Middleware;

namespace Smartspace.Durable.Runtime;

/// <summary>The final status and serialized output (or failure text) of an orchestration.</summary>
public sealed record OrchestrationResult(OrchestrationStatus Status, string? Output);

/// <summary>
/// In-process completion notices: an orchestration dispatcher middleware sees each execution's completion action and
/// completes the waiter registered for that instance. The outcome is a function of the history already committed, so a
/// replay after a failed commit completes the same way; an orchestration run by another process is found by the
/// client's fallback poll instead.
/// </summary>
internal sealed class Completions
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<OrchestrationResult>> waiters = new(StringComparer.Ordinal);
    private long delivered;

    /// <summary>Outcomes handed to a waiter by the in-process notice (not by the fallback poll).</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    public TaskCompletionSource<OrchestrationResult> Register(string instanceId) =>
        waiters.GetOrAdd(instanceId, _ => new TaskCompletionSource<OrchestrationResult>(TaskCreationOptions.RunContinuationsAsynchronously));

    public void Forget(string instanceId) => waiters.TryRemove(instanceId, out _);

    public void Complete(string instanceId, OrchestrationResult result)
    {
        if (waiters.TryRemove(instanceId, out var waiter) && waiter.TrySetResult(result))
        {
            Interlocked.Increment(ref delivered);
        }
    }

    public async Task Middleware(DispatchMiddlewareContext context, Func<Task> next)
    {
        await next().ConfigureAwait(false);
        if (waiters.IsEmpty)
        {
            return;
        }

        var instance = context.GetProperty<OrchestrationInstance>();
        var result = context.GetProperty<OrchestratorExecutionResult>();
        if (instance is null || result?.Actions is null)
        {
            return;
        }

        foreach (var action in result.Actions)
        {
            if (action is OrchestrationCompleteOrchestratorAction complete && complete.OrchestrationStatus != OrchestrationStatus.ContinuedAsNew)
            {
                Complete(instance.InstanceId, new OrchestrationResult(complete.OrchestrationStatus, complete.Result ?? complete.FailureDetails?.ErrorMessage));
            }
        }
    }
}
