using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Smartspace.FunctionApp.Clients;
using Smartspace.Functions.Hosting;

namespace Smartspace.FunctionApp.Functions;

/// <summary>
/// The timer functions: each runs its <see cref="ITimerFunction"/> (the same work the local host's hosted
/// loops run) and logs what it did. A run that fails throws, so the invocation fails and the next one retries.
/// The sweeps that read or change the Durable entities (the customers' windows, the outbox's window check, erasure)
/// declare a <c>[DurableClient]</c> and hand it to <see cref="DurableClientAccessor"/>.
/// </summary>
public sealed partial class TimerFunctions(IEnumerable<ITimerFunction> timers, DurableClientAccessor durable, ILogger<TimerFunctions> logger)
{
    /// <summary>Announces 24-hour windows that have closed (P4); correctness never depends on it.</summary>
    [Function("window-expiry")]
    public Task WindowExpiry([TimerTrigger("0 */1 * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        RunAsync("window-expiry", timer, client, cancellationToken);

    /// <summary>Retries outbound messages that are due, and picks up what a crash left unsent.</summary>
    [Function("outbox-retry")]
    public Task OutboxRetry([TimerTrigger("*/30 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        RunAsync("outbox-retry", timer, client, cancellationToken);

    /// <summary>Refreshes the message templates from Meta; also at start, so a new instance has them at once.</summary>
    [Function("template-sync")]
    public Task TemplateSync([TimerTrigger("0 */15 * * * *", RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken) =>
        RunAsync("template-sync", timer, null, cancellationToken);

    /// <summary>LGPD retention: removes messages and media older than each contact center keeps them, in bounded batches.</summary>
    [Function("retention")]
    public Task Retention([TimerTrigger("0 0 3 * * *")] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        RunAsync("retention", timer, client, cancellationToken);

    private async Task RunAsync(string name, TimerInfo timer, DurableTaskClient? client, CancellationToken cancellationToken)
    {
        if (client is not null)
        {
            durable.Use(client); // undone when this method returns
        }

        var function = timers.Single(t => t.Name == name);
        var result = await function.RunAsync(new TimerRun(timer.IsPastDue), cancellationToken);
        foreach (var line in result.Logs)
        {
            LogRun(name, line);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Function}: {Outcome}")]
    private partial void LogRun(string function, string outcome);
}
