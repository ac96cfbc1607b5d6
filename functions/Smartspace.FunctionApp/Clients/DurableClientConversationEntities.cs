using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Client.Entities;
using Microsoft.DurableTask.Entities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Smartspace.Core.Conversations;
using Smartspace.Durable.Client;
using Smartspace.Durable.Entities;
using Smartspace.Durable.Orchestrations;
using Smartspace.Durable.Runtime;
using Smartspace.Storage;

namespace Smartspace.FunctionApp.Clients;

/// <summary>
/// <see cref="IConversationEntities"/> in Azure: the Functions host's Durable extension runs the entities and orchestrations
/// (task hub in host.json) and this process reaches it through the invocation's <c>[DurableClient]</c>
/// (<see cref="DurableClientAccessor"/>). An interactive call schedules its orchestration and polls the instance briefly
/// (from 40 ms up to 250 ms apart, for at most <c>Durable:CompletionTimeout</c>) instead of the client's completion wait, which
/// the Azure Storage provider answers on a 2-second poll. The webhook's signal is one-way; entity reads return the state as
/// last committed. Anything the runtime cannot answer — no client in this invocation, the host unreachable, an orchestration
/// that failed or has no outcome in time — is a <see cref="StoreUnavailableException"/> (503): the entities change only
/// inside the orchestrations, so nothing is half-done.
/// </summary>
public sealed class DurableClientConversationEntities(DurableClientAccessor clients, IOptions<DurableOptions> options) : OrchestratedConversationEntities
{
    protected override async Task<T> RunAsync<T>(string name, object input, CancellationToken ct) => (await GuardAsync(async client =>
    {
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync(new TaskName(name), input, ct);
        var timeout = options.Value.CompletionTimeout;
        try
        {
            return await CompletionPoll.UntilAsync(
                async token =>
                {
                    var instance = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, token);
                    if (instance is not { IsCompleted: true })
                    {
                        return null;
                    }

                    if (instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
                    {
                        throw new StoreUnavailableException($"Orchestration {name} ({instanceId}) ended {instance.RuntimeStatus}: {instance.FailureDetails?.ErrorType} {instance.FailureDetails?.ErrorMessage}".TrimEnd());
                    }

                    return new Box<T>(instance.ReadOutputAs<T>() ?? throw new StoreUnavailableException($"Orchestration {name} ({instanceId}) completed without an output."));
                },
                timeout,
                ct);
        }
        catch (TimeoutException)
        {
            throw new StoreUnavailableException($"Orchestration {name} ({instanceId}) had no outcome within {timeout.TotalSeconds:0.#} s.");
        }
    }, ct)).Value;

    protected override Task SignalAsync(EntityInstanceId entity, string operation, object input, CancellationToken ct) =>
        GuardAsync(client => client.Entities.SignalEntityAsync(entity, operation, input, cancellation: ct), ct);

    protected override Task<T?> GetStateAsync<T>(EntityInstanceId entity, CancellationToken ct)
        where T : class => GuardAsync(async client => (await client.Entities.GetEntityAsync<T>(entity, ct))?.State, ct);

    /// <summary>An orchestration's output, so "not finished yet" (null) differs from any output.</summary>
    private sealed record Box<T>(T Value);

    private Task GuardAsync(Func<DurableTaskClient, Task> call, CancellationToken ct) => GuardAsync(async client =>
    {
        await call(client);
        return true;
    }, ct);

    /// <summary>The invocation's client, or a 503 saying why there is none; any failure of the runtime a 503 too.</summary>
    private async Task<T> GuardAsync<T>(Func<DurableTaskClient, Task<T>> call, CancellationToken ct)
    {
        var client = clients.Current ?? throw new StoreUnavailableException(
            "No Durable client in this call: the Durable entities are reached only from a function invocation that declares a [DurableClient] binding (see DurableClientAccessor).");
        try
        {
            return await call(client);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (StoreUnavailableException)
        {
            throw;
        }
        catch (Exception e) when (ct.IsCancellationRequested)
        {
            // A call cut short by the caller surfaces as the transport's own error (gRPC Cancelled): it is a cancellation.
            throw new OperationCanceledException("The Durable call was cancelled.", e, ct);
        }
        catch (Exception e)
        {
            throw new StoreUnavailableException("The Durable runtime did not answer: " + e.GetType().Name, e);
        }
    }
}

public static class DurableClientServiceCollectionExtensions
{
    /// <summary>
    /// The entities client of the Function App in Azure (the Functions host's Durable extension runs the task hub):
    /// <see cref="DurableClientConversationEntities"/> over the invocation's <c>[DurableClient]</c>. <c>Durable:CompletionTimeout</c>
    /// bounds an interactive call's wait for its orchestration.
    /// </summary>
    public static IServiceCollection AddDurableClientEntities(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DurableOptions>()
            .Bind(configuration.GetSection(DurableOptions.SectionName))
            .Validate(o => o.CompletionTimeout > TimeSpan.Zero, "Durable:CompletionTimeout must be positive.")
            .ValidateOnStart();
        services.AddSingleton<IConversationEntities, DurableClientConversationEntities>();
        return services;
    }
}
