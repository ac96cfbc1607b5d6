using Microsoft.Extensions.Options;
using Smartspace.Durable.Runtime;

namespace Smartspace.LocalHost;

/// <summary>
/// With <c>Durable:Enabled</c>, the local host runs the product's entities and orchestrations on the Durable Task
/// Framework against Azurite (in Azure the Functions host's Durable extension runs them); several local hosts may
/// share one task hub. Activities get their ports from this host's services. Off by default.
/// </summary>
public sealed class DurableRuntimeHost(IOptions<DurableOptions> options, ILoggerFactory loggers, IServiceProvider services) : IHostedService
{
    private LocalDurableRuntime? runtime;

    /// <summary>The client of this host's runtime.</summary>
    public DurableClient Client => runtime?.Client ?? throw new InvalidOperationException("The Durable runtime is not running here (Durable:Enabled is false).");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Enabled)
        {
            runtime = await LocalDurableRuntime.StartAsync(options.Value, loggers, services);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (runtime is { } running)
        {
            runtime = null;
            await running.DisposeAsync();
        }
    }
}

/// <summary>Every problem of the <c>Durable</c> section at once, when the runtime is on.</summary>
public sealed class DurableOptionsValidator : IValidateOptions<DurableOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableOptions options) =>
        !options.Enabled || options.Validate() is not { Count: > 0 } errors ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}
