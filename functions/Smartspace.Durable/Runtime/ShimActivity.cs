using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.DependencyInjection;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// A DTFx activity that runs one of our <see cref="ITaskActivity"/> classes, built per run from the host's services — in
/// a scope of its own when the provider makes scopes (as the Functions worker does per invocation) — through the SDK's shim.
/// </summary>
internal sealed class ShimActivity(string name, Func<IServiceProvider, ITaskActivity> factory, IServiceProvider services, DurableTaskShimFactory shims) : TaskActivity
{
    public override string Run(TaskContext context, string input) =>
        throw new NotSupportedException("Activities run asynchronously (RunAsync).");

    public override async Task<string> RunAsync(TaskContext context, string input)
    {
        if (services.GetService<IServiceScopeFactory>() is not { } scopes)
        {
            return await shims.CreateActivity(new TaskName(name), factory(services)).RunAsync(context, input).ConfigureAwait(false);
        }

        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            return await shims.CreateActivity(new TaskName(name), factory(scope.ServiceProvider)).RunAsync(context, input).ConfigureAwait(false);
        }
    }
}
