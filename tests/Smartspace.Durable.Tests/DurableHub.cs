using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Smartspace.Durable.Placement;
using Smartspace.Durable.Runtime;
using Smartspace.Durable.Tests.Placement;
using Smartspace.Testing;

namespace Smartspace.Durable.Tests;

/// <summary>
/// Azurite plus one local runtime on a task hub of this test class's own (so classes and runs never share queues or
/// instances). More runtimes can join the same hub, as separate hosts would. The customer's entity and the activities get
/// <see cref="Placements"/> as their <see cref="IInboundPlacement"/> and <see cref="Effects"/> as their effects port.
/// </summary>
public sealed class DurableHub : IAsyncLifetime
{
    private readonly AzuriteFixture azurite = new();
    private readonly List<LocalDurableRuntime> runtimes = [];

    public string TaskHub { get; } = "h" + AzuriteFixture.NewTablePrefix("d")[1..];

    public LocalDurableRuntime Runtime => runtimes[0];

    public RecordingPlacement Placements { get; } = new();

    /// <summary>The changes the orchestrations made visible (the product writes rows and events there).</summary>
    public Orchestrations.RecordingEffects Effects { get; } = new();

    private ServiceProvider? services;

    public DurableClient Client => Runtime.Client;

    public DurableOptions Options(string? workerId = null) => new()
    {
        ConnectionString = azurite.ConnectionString,
        TaskHub = TaskHub,
        PartitionCount = 4,
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(250),
        CompletionTimeout = TimeSpan.FromSeconds(300),
        WorkerId = workerId,
    };

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        services = new ServiceCollection().AddSingleton<IInboundPlacement>(Placements).AddSingleton<Effects.IConversationEffects>(Effects).BuildServiceProvider();
        runtimes.Add(await LocalDurableRuntime.StartAsync(Options("w0"), services: services));
    }

    /// <summary>Another worker on the same task hub (a second host).</summary>
    public async Task<LocalDurableRuntime> JoinAsync(string workerId)
    {
        var runtime = await LocalDurableRuntime.StartAsync(Options(workerId), services: services);
        runtimes.Add(runtime);
        return runtime;
    }

    public async Task DisposeAsync()
    {
        foreach (var runtime in runtimes)
        {
            await runtime.DisposeAsync();
        }

        if (services is not null)
        {
            await services.DisposeAsync();
        }

        await azurite.DisposeAsync();
    }

    /// <summary>
    /// Reads until <paramref name="done"/> holds (signals are processed asynchronously); returns the last value read so
    /// the caller asserts on it — a condition that never holds fails the assertion after the deadline, it never hangs.
    /// </summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = within ?? TimeSpan.FromSeconds(180);
        while (true)
        {
            var value = await read();
            if (done(value) || deadline.Elapsed > limit)
            {
                return value;
            }

            await Task.Delay(50);
        }
    }
}
