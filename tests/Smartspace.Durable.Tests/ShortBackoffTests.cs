using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using Smartspace.Durable.Runtime;

namespace Smartspace.Durable.Tests;

/// <summary>
/// Reliability (P3: a store briefly down must not keep customers' messages waiting long after it returns): the local
/// worker's dispatchers pause 1 s after a failed work item, not the Azure Storage provider's fixed 10 s — which DTFx Core
/// waits before every fetch until five work items in a row succeed, so the failures an outage leaves behind made the
/// catch-up take one entity work item per 10 s (the storage-outage drill measures the whole recovery).
/// </summary>
public sealed class ShortBackoffTests
{
    private static AzureStorageOrchestrationService Provider() => new(new AzureStorageOrchestrationServiceSettings
    {
        StorageAccountClientProvider = new StorageAccountClientProvider("UseDevelopmentStorage=true"),
        TaskHubName = "backofftest",
        UseSeparateQueueForEntityWorkItems = true,
    });

    [Fact]
    public void P3_TheWorkersDispatchersPauseOneSecondAfterAFailure_WhereTheProviderAnswersTen()
    {
        var provider = Provider();
        var failure = new InvalidOperationException("pop receipt did not match");
        Assert.Equal(10, provider.GetDelayInSecondsAfterOnProcessException(failure));

        var worker = LocalDurableRuntime.ForWorker(provider);

        Assert.Equal(1, worker.GetDelayInSecondsAfterOnProcessException(failure));
        Assert.InRange(worker.GetDelayInSecondsAfterOnFetchException(failure), 0, 1);
    }

    [Fact]
    public void TheWorkersViewStillRunsEntities_OnTheirOwnQueue_WithTheProvidersLimits()
    {
        var provider = Provider();

        var worker = LocalDurableRuntime.ForWorker(provider);

        var entities = Assert.IsAssignableFrom<IEntityOrchestrationService>(worker);
        Assert.NotNull(entities.EntityBackendProperties);
        Assert.Equal(((IEntityOrchestrationService)provider).EntityBackendProperties!.MaxConcurrentTaskEntityWorkItems, entities.EntityBackendProperties!.MaxConcurrentTaskEntityWorkItems);
        Assert.Equal(provider.MaxConcurrentTaskOrchestrationWorkItems, worker.MaxConcurrentTaskOrchestrationWorkItems);
        Assert.Equal(provider.MaxConcurrentTaskActivityWorkItems, worker.MaxConcurrentTaskActivityWorkItems);
        Assert.Equal(provider.TaskOrchestrationDispatcherCount, worker.TaskOrchestrationDispatcherCount);
    }
}
