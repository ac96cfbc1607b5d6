using Microsoft.Extensions.Options;

namespace Smartspace.Functions.Hosting;

/// <summary>
/// A local hosted timer: runs a sweep every <see cref="Interval"/> when <c>Timers:Hosted</c> is on (the
/// local default). In Azure the matching timer function (function.json schedule) calls the same sweep.
/// A failing run is logged and the next one retries.
/// </summary>
public abstract class HostedSweep(IOptions<TimersOptions> timers, TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The timers' settings, for the intervals of derived sweeps.</summary>
    protected TimersOptions Timers { get; } = timers.Value;

    protected abstract string Name { get; }

    protected abstract TimeSpan Interval { get; }

    /// <summary>Whether to run once right after start (after a short delay) before the first interval.</summary>
    protected virtual bool RunAtStart => false;

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Timers.Hosted)
        {
            return;
        }

        try
        {
            if (RunAtStart)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken);
                await RunSafelyAsync(stoppingToken);
            }

            using var timer = new PeriodicTimer(Interval, time);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RunSafelyAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunSafelyAsync(CancellationToken ct)
    {
        try
        {
            await RunOnceAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "{Sweep} failed; the next run retries", Name);
        }
    }
}
