using DurableTask.Core.Entities;
using DurableTask.Core.Entities.OperationFormat;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Entities;
using Microsoft.DurableTask.Worker.Shims;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// A DTFx entity that runs one of our <see cref="ITaskEntity"/> classes. The SDK's shim needs the entity id, which
/// DTFx's object creator does not pass: it is created per batch from the batch's instance id.
/// </summary>
internal sealed class ShimEntity(string name, Func<IServiceProvider, ITaskEntity> factory, IServiceProvider services, DurableTaskShimFactory shims) : TaskEntity
{
    public override Task<EntityBatchResult> ExecuteOperationBatchAsync(EntityBatchRequest request)
    {
        var id = EntityId.FromString(request.InstanceId ?? throw new InvalidOperationException("An entity batch without an instance id."));
        return shims.CreateEntity(new TaskName(name), factory(services), id).ExecuteOperationBatchAsync(request);
    }
}
