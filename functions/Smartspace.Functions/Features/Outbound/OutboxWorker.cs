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

/// <summary>Dispatches signalled sends and, when hosted timers are on (local), sweeps the outbox periodically.</summary>
public sealed class OutboxWorker(OutboxSignal signal, OutboxDispatcher dispatcher, IOptions<TimersOptions> timers, TimeProvider time, ILogger<OutboxWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(DispatchSignalsAsync(stoppingToken), SweepAsync(stoppingToken));

    private async Task DispatchSignalsAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (tenantId, id) in signal.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await dispatcher.DispatchAsync(tenantId, id, ct);
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

    private async Task SweepAsync(CancellationToken ct)
    {
        if (!timers.Value.Hosted)
        {
            return;
        }

        using var timer = new PeriodicTimer(timers.Value.OutboxRetryInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await dispatcher.SweepAsync(ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Outbox sweep failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The <c>outbox-retry</c> timer function (Azure): the same sweep as the hosted loop.</summary>
public sealed class OutboxRetryFunction(OutboxDispatcher dispatcher) : IInvokedFunction
{
    public string Name => "outbox-retry";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var handled = await dispatcher.SweepAsync(cancellationToken);
        return new InvocationResult([$"outbox-retry handled {handled} entries (past due: {request.IsPastDue})"]);
    }
}

public static class OutboundRegistration
{
    public static IServiceCollection AddOutbound(this IServiceCollection services)
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutboxSignal>(sp => sp.GetRequiredService<OutboxSignal>());
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService<OutboxWorker>();
        services.AddSingleton<IInvokedFunction, OutboxRetryFunction>();
        return services;
    }
}
