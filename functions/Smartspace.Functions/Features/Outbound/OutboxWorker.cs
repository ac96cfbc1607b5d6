using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Smartspace.Functions.Features.Media;
using Smartspace.Functions.Health;
using Smartspace.Functions.Hosting;
using Smartspace.Meta.Sending;

namespace Smartspace.Functions.Features.Outbound;

/// <summary>In-process wake-ups: a committed send is dispatched at once; the sweep (timer) covers crashes and retries.</summary>
public sealed class OutboxSignal : IOutboxSignal
{
    private readonly Channel<(string TenantId, string OurMessageId)> queue = Channel.CreateBounded<(string, string)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    public ChannelReader<(string TenantId, string OurMessageId)> Reader => queue.Reader;

    public void Notify(string tenantId, string ourMessageId) => queue.Writer.TryWrite((tenantId, ourMessageId));
}

/// <summary>
/// Dispatches each signalled send right after its commit, without waiting for the previous one: each dispatch runs on
/// its own and waits only for a send slot of its business number (<see cref="SendLanes"/>), so one slow or hung Graph
/// call never holds up another agent's message.
/// </summary>
public sealed partial class OutboxSignalWorker(OutboxSignal signal, OutboxDispatcher dispatcher, ILogger<OutboxSignalWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        SignalLoop.RunAsync(signal.Reader, (s, ct) => DispatchAsync(s.TenantId, s.OurMessageId, ct), stoppingToken);

    private async Task DispatchAsync(string tenantId, string id, CancellationToken ct)
    {
        await Task.Yield();
        try
        {
            await dispatcher.DispatchAsync(tenantId, id, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogDispatchFailed(ex, id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dispatching {OurMessageId} failed; the sweep will retry")]
    private partial void LogDispatchFailed(Exception ex, string ourMessageId);
}

/// <summary>The local hosted outbox sweep (retries, crash leftovers), every <c>Timers:OutboxRetryInterval</c>.</summary>
public sealed class OutboxSweepTimer(OutboxDispatcher dispatcher, InboundMediaFetcher media, IOptions<TimersOptions> timers, TimeProvider time, ILogger<OutboxSweepTimer> logger)
    : HostedSweep(timers, time, logger)
{
    protected override string Name => "outbox sweep";

    protected override TimeSpan Interval => Timers.OutboxRetryInterval;

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await dispatcher.SweepAsync(cancellationToken);
        await media.SweepAsync(cancellationToken); // customer media due for a (re)try: the same cadence as sends
    }
}

/// <summary>The <c>outbox-retry</c> timer function (Azure): the same sweep as the hosted loop (sends, then customer media due for a retry).</summary>
public sealed class OutboxRetryFunction(OutboxDispatcher dispatcher, InboundMediaFetcher media) : ITimerFunction
{
    public string Name => "outbox-retry";

    public async Task<TimerResult> RunAsync(TimerRun run, CancellationToken cancellationToken)
    {
        var handled = await dispatcher.SweepAsync(cancellationToken);
        var fetched = await media.SweepAsync(cancellationToken);
        return new TimerResult([$"outbox-retry handled {handled} entries and {fetched} media fetches (past due: {run.IsPastDue})"]);
    }
}

public static class OutboundRegistration
{
    public static IServiceCollection AddOutbound(this IServiceCollection services)
    {
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IOutboxSignal>(sp => sp.GetRequiredService<OutboxSignal>());
        services.AddSingleton(SendLimits.Default);
        services.AddSingleton<SendPacing>();
        services.AddSingleton<SendLanes>();
        services.AddSingleton<MetaAccessHealth>();
        services.AddSingleton<OutboxCommits>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddHostedService<OutboxSignalWorker>();
        services.AddSingleton<ITimerFunction, OutboxRetryFunction>();
        return services;
    }
}
