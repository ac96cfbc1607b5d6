using Microsoft.DurableTask.Entities;
using Smartspace.Durable.Runtime;
using Smartspace.Storage;

namespace Smartspace.Durable.Client;

/// <summary>
/// <see cref="IConversationEntities"/> over a local runtime's client (this process's <see cref="DurableRuntimeHost"/>, or a
/// client-only connection to a task hub other processes run): orchestration outcomes from the in-process completion notice
/// (else a short poll), signals and entity reads through the task hub on Azurite.
/// </summary>
public sealed class LocalConversationEntities(Func<DurableClient> client) : OrchestratedConversationEntities
{
    public LocalConversationEntities(DurableRuntimeHost host)
        : this(() => host.Client)
    {
    }

    protected override Task<T> RunAsync<T>(string name, object input, CancellationToken ct) => GuardAsync(() => client().RunAsync<T>(name, input, ct));

    protected override Task SignalAsync(EntityInstanceId entity, string operation, object input, CancellationToken ct) =>
        GuardAsync(async () =>
        {
            await client().SignalEntityAsync(entity, operation, input);
            return true;
        });

    protected override Task<T?> GetStateAsync<T>(EntityInstanceId entity, CancellationToken ct)
        where T : class => GuardAsync(() => client().GetEntityStateAsync<T>(entity, ct));

    /// <summary>A runtime that is not running, an orchestration with no outcome in time, or Azurite down: 503, nothing half-done.</summary>
    private static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (StoreUnavailableException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new StoreUnavailableException("The Durable runtime did not answer: " + e.GetType().Name, e);
        }
    }
}
