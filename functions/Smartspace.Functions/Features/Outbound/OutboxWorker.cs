using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Hosting;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>In-process wake-ups: a committed send is dispatched at once; the sweep (timer) covers crashes and retries.</summary>
public sealed class OutboxSignal : IOutboxSignal
{
    private readonly Channel<(string TenantId, string OurMessageId)> queue = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public ChannelReader<(string TenantId, string OurMessageId)> Reader => queue.Reader;

    public void Notify(string tenantId, string ourMessageId) => queue.Writer.TryWrite((tenantId, ourMessageId));
}

/// <summary>Dispatches each signalled send right after its commit.</summary>
public sealed class OutboxSignalWorker(OutboxSignal signal, OutboxDispatcher dispatcher, ILogger<OutboxSignalWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var (tenantId, id) in signal.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await dispatcher.DispatchAsync(tenantId, id, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Dispatching {OurMessageId} failed; the sweep will retry", id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The local hosted outbox sweep (retries, crash leftovers), every <c>Timers:OutboxRetryInterval</c>.</summary>
public sealed class OutboxSweepTimer(OutboxDispatcher dispatcher, IOptions<TimersOptions> timers, TimeProvider time, ILogger<OutboxSweepTimer> logger)
    : HostedSweep(timers, time, logger)
{
    protected override string Name => "outbox sweep";

    protected override TimeSpan Interval => Timers.OutboxRetryInterval;

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => dispatcher.SweepAsync(cancellationToken);
}

/// <summary>The <c>outbox-retry</c> timer function (Azure): the same sweep as the hosted loop.</summary>
public sealed class OutboxRetryFunction(OutboxDispatcher dispatcher) : ITimerFunction
{
    public string Name => "outbox-retry";

    public async Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken)
    {
        var handled = await dispatcher.SweepAsync(cancellationToken);
        return new TimerResult([$"outbox-retry handled {handled} entries (past due: {run.IsPastDue})"]);
    }
}

public static class OutboundRegistration
{
    public static IServiceCollection AddOutbound(this IServiceCollection services)
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutboxSignal>(sp => sp.GetRequiredService<OutboxSignal>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService<OutboxSignalWorker>();
        services.AddSingleton<ITimerFunction, OutboxRetryFunction>();
        return services;
    }
}
