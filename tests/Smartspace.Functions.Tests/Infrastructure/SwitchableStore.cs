using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Storage;

namespace Smartspace.Functions.Tests.Infrastructure;

/// <summary>A store that can be switched off: every call throws <see cref="StoreUnavailableException"/> while <see cref="Down"/>.</summary>
public sealed class SwitchableStore(IEntityStore inner) : IEntityStore
{
    private int refused;

    public volatile bool Down;

    /// <summary>How many calls were refused while down.</summary>
    public int Refused => refused;

    private void ThrowIfDown()
    {
        if (Down)
        {
            Interlocked.Increment(ref refused);
            throw new StoreUnavailableException("The test switched the store off.");
        }
    }

    public Task<Entity?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return inner.GetAsync(table, partitionKey, rowKey, cancellationToken);
    }

    public Task<EntityPage> QueryAsync(string table, EntityQuery query, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return inner.QueryAsync(table, query, cancellationToken);
    }

    /// <summary>When set, every batch throws this (a bug, not an outage).</summary>
    public volatile Exception? Fault;

    /// <summary>When set, every batch waits for it first (a slow store).</summary>
    public volatile TaskCompletionSource? Hold;

    public async Task<BatchResult> SubmitAsync(string table, IReadOnlyList<EntityOperation> operations, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        if (Fault is { } fault)
        {
            throw fault;
        }

        if (Hold is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        return await inner.SubmitAsync(table, operations, cancellationToken);
    }

    public Task EnsureTableAsync(string table, CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return inner.EnsureTableAsync(table, cancellationToken);
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDown();
        return inner.IsReachableAsync(cancellationToken);
    }

    /// <summary>Wraps the handler's registered store (whatever the provider) with a switch.</summary>
    public static WebApplicationFactory<Program> Wrap(HandlerFactory factory) => factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
    {
        var original = services.Last(d => d.ServiceType == typeof(IEntityStore));
        services.Remove(original);
        services.AddSingleton(sp => new SwitchableStore(original.ImplementationFactory is { } create ? (IEntityStore)create(sp)
            : original.ImplementationInstance as IEntityStore ?? (IEntityStore)ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)));
        services.AddSingleton<IEntityStore>(sp => sp.GetRequiredService<SwitchableStore>());
    }));
}

