using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Entities;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// The product's entities, orchestrations and activities (<see cref="DurableCatalog"/>) on the Durable Task Framework's own engine —
/// a <see cref="TaskHubWorker"/> over the Azure Storage provider, entities on their own work-item queue — the engine and
/// provider Durable Functions uses. Several processes may share one task hub: control-queue partitions are leased
/// between them. Dispose stops the worker.
/// </summary>
public sealed class LocalDurableRuntime : IAsyncDisposable
{
    private readonly TaskHubWorker worker;
    private bool stopped;

    /// <summary>How long a dequeued control-queue message stays invisible to other workers.</summary>
    internal static readonly TimeSpan ControlQueueVisibilityTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a dequeued activity message stays invisible to other workers (renewed while the activity runs).</summary>
    internal static readonly TimeSpan WorkItemQueueVisibilityTimeout = TimeSpan.FromSeconds(30);

    private readonly Completions completions;

    private LocalDurableRuntime(TaskHubWorker worker, DurableClient client, Completions completions)
    {
        this.worker = worker;
        this.completions = completions;
        Client = client;
    }

    public DurableClient Client { get; }

    /// <summary>Outcomes this process's waiters got from the in-process completion notice rather than the poll.</summary>
    internal long NoticesDelivered => completions.Delivered;

    /// <summary>
    /// Starts a worker on the task hub. <paramref name="services"/> gives activities their ports (for example
    /// <see cref="Placement.IInboundPlacement"/>); without it an activity needing one fails when it runs.
    /// </summary>
    public static async Task<LocalDurableRuntime> StartAsync(DurableOptions options, ILoggerFactory? loggerFactory = null, IServiceProvider? services = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        loggerFactory ??= NullLoggerFactory.Instance;
        var service = await CreateServiceAsync(options, loggerFactory).ConfigureAwait(false);

        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions { EnableEntitySupport = true }, loggerFactory);
        var orchestrations = new ObjectManager<TaskOrchestration>(StringComparer.Ordinal);
        foreach (var (name, factory) in DurableCatalog.Orchestrators)
        {
            orchestrations.Add(new FactoryCreator<TaskOrchestration>(name, () => shims.CreateOrchestration(new TaskName(name), factory(), parent: null)));
        }

        services ??= NoServices.Instance;
        var entities = new ObjectManager<TaskEntity>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, factory) in DurableCatalog.Entities)
        {
            entities.Add(new FactoryCreator<TaskEntity>(name, () => new ShimEntity(name, factory, services, shims)));
        }

        var activities = new ObjectManager<TaskActivity>(StringComparer.Ordinal);
        foreach (var (name, factory) in DurableCatalog.Activities)
        {
            activities.Add(new FactoryCreator<TaskActivity>(name, () => new ShimActivity(name, factory, services, shims)));
        }

        var completions = new Completions();
        // The worker's dispatchers see the provider through a shorter back-off after failures (the catch-up after a
        // storage outage); the client uses the provider itself.
        var worker = new TaskHubWorker(ForWorker(service), orchestrations, activities, entities, loggerFactory);
        worker.AddOrchestrationDispatcherMiddleware(completions.Middleware);
        await worker.StartAsync().ConfigureAwait(false);
        return new LocalDurableRuntime(worker, new DurableClient(service, completions, options.CompletionTimeout), completions);
    }

    /// <summary>
    /// A client of the task hub that runs nothing itself (the hosts sharing the hub run the work): outcomes come from
    /// the short instance poll.
    /// </summary>
    public static async Task<DurableClient> ConnectClientAsync(DurableOptions options, ILoggerFactory? loggerFactory = null)
    {
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", errors));
        }

        var service = await CreateServiceAsync(options, loggerFactory ?? NullLoggerFactory.Instance).ConfigureAwait(false);
        return new DurableClient(service, new Completions(), options.CompletionTimeout);
    }

    private static async Task<AzureStorageOrchestrationService> CreateServiceAsync(DurableOptions options, ILoggerFactory loggerFactory)
    {
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(options.ConnectionString),
            TaskHubName = options.TaskHub,
            PartitionCount = options.PartitionCount,
            UseSeparateQueueForEntityWorkItems = true,
            MaxQueuePollingInterval = options.MaxQueuePollingInterval,
            // A control-queue message a worker dequeued just before its partition moved to another worker (a host
            // joining or leaving the task hub) stays invisible this long: DTFx's default of 5 minutes stalled an
            // orchestration — and every start queued behind its entity locks — for 5 minutes. Our work items are a few
            // entity operations; a message still in work after 30 s is redelivered, which the provider treats like any
            // at-least-once redelivery (its duplicate checks, the entities' per-sender sequence numbers).
            ControlQueueVisibilityTimeout = ControlQueueVisibilityTimeout,
            // The same for an activity's message. An orchestration runs its effect activities (publishing a change, sending
            // a template) while it holds the customer's and the agent's locks; when the host that took such a message dies,
            // DTFx's default of 5 minutes kept that customer and agent locked for 5 minutes (measured in the crash drill:
            // every later message of the customer waited). DTFx renews the message's invisibility while the activity runs,
            // so a slow activity is not run twice; a dead host's activity is redelivered after 30 s.
            WorkItemQueueVisibilityTimeout = WorkItemQueueVisibilityTimeout,
            WorkerId = string.IsNullOrWhiteSpace(options.WorkerId) ? DefaultWorkerId() : options.WorkerId,
            // The app lease lets only one app version's workers run a task hub (blue/green deployments); a host restarted
            // after a crash then waited for the dead host's app lease to expire (about a minute) before it started at all.
            // Our hosts of one task hub run one version: the partition leases alone share the work.
            UseAppLease = false,
            // The provider's client sends a new orchestration's ExecutionStarted message first and writes its Instances row
            // after; a worker that takes the message in between (ours polls the same process's hot control queue, so about
            // 1 start in 100 — measured in StartBench's logs: "Abandoning [ExecutionStarted] message … visibility delay")
            // finds no row, takes the message for a stale duplicate and hides it for 2 s: those starts took 2.2 s. The
            // check guards against a start whose client failed after sending its message; our clients start each
            // orchestration under a new instance id (or, from an entity, under an id whose placement is idempotent), so a
            // duplicate ExecutionStarted cannot start anything twice, and a start whose Instances row could not be written
            // (the store failing between the two calls; its caller got 503) may still run, as a retry of it would.
            DisableExecutionStartedDeduplication = true,
            // No extended sessions: DTFx then hands an entity's state to the first batch of a session only, and expects the
            // worker to keep it for the next ones (the isolated worker's protocol does); the SDK's shim does not, so every
            // later batch of the session would start from an empty state (measured: the tests' customers got a new
            // conversation per message).
            LoggerFactory = loggerFactory,
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync().ConfigureAwait(false);
        return service;
    }

    /// <summary>The provider as the worker's dispatchers see it: a 1 s pause after a failed work item instead of 10 s.</summary>
    internal static IOrchestrationService ForWorker(AzureStorageOrchestrationService service) => new ShortBackoffOrchestrationService(service);

    /// <summary>Machine, process and a random suffix: unique among the hosts sharing a task hub, at most 60 characters.</summary>
    public static string DefaultWorkerId()
    {
        var id = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        return id.Length <= 60 ? id : id[^60..];
    }

    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }

    public async ValueTask DisposeAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        await worker.StopAsync(isForced: true).ConfigureAwait(false);
        worker.Dispose();
    }
}
