using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Smartspace.Durable.Client;

namespace Smartspace.Durable.Runtime;

/// <summary>
/// Runs the product's entities, orchestrations and activities in this process on the Durable Task Framework against Azure
/// Storage (Azurite locally) — the local host always, the Function App when <c>Durable:Enabled</c> (in Azure the Functions
/// host's Durable extension runs them instead). Several processes may share one task hub. Activities and the customer's
/// entity get their ports from this host's services.
/// </summary>
public sealed class DurableRuntimeHost(IOptions<DurableOptions> options, ILoggerFactory loggers, IServiceProvider services) : IHostedService
{
    private LocalDurableRuntime? runtime;

    /// <summary>The client of this host's runtime.</summary>
    public DurableClient Client => runtime?.Client ?? throw new InvalidOperationException("The Durable runtime is not running in this process.");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        runtime = await LocalDurableRuntime.StartAsync(options.Value, loggers, services);
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

/// <summary>Every problem of the <c>Durable</c> section at once.</summary>
public sealed class DurableOptionsValidator : IValidateOptions<DurableOptions>
{
    public ValidateOptionsResult Validate(string? name, DurableOptions options) =>
        options.Validate() is not { Count: > 0 } errors ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

public static class LocalDurableServiceCollectionExtensions
{
    /// <summary>
    /// The local runtime as a hosted service and <see cref="IConversationEntities"/> over it. The task hub's storage is
    /// <c>Durable:ConnectionString</c>, else the tables' account (<c>Storage:TablesConnectionString</c>): locally one Azurite
    /// holds both. Register it before the services whose start-up calls the entities (the seed): hosted services start in order.
    /// </summary>
    public static IServiceCollection AddLocalDurableRuntime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DurableOptions>().Bind(configuration.GetSection(DurableOptions.SectionName)).PostConfigure(o =>
        {
            if (string.IsNullOrWhiteSpace(o.ConnectionString))
            {
                o.ConnectionString = configuration["Storage:TablesConnectionString"] ?? "";
            }
        }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DurableOptions>, DurableOptionsValidator>();
        services.AddSingleton<DurableRuntimeHost>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableRuntimeHost>());
        services.AddSingleton<IConversationEntities>(sp => new LocalConversationEntities(sp.GetRequiredService<DurableRuntimeHost>()));
        return services;
    }
}
