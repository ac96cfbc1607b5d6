using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Smartspace.Durable.Runtime;
using Smartspace.FunctionApp;
using Smartspace.FunctionApp.Clients;
using Smartspace.Functions.Hosting;

// The isolated worker, started by the Functions host (in Azure) or by the worker-protocol test host.
// App settings arrive as environment variables (Section__Key); the same options as the local host.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
var workerServices = builder.Services.Where(d => d.ServiceType == typeof(IHostedService)).ToList();
builder.Services.AddSingleton<DurableClientAccessor>();
if (builder.Configuration.GetValue<bool>($"{DurableOptions.SectionName}:{nameof(DurableOptions.Enabled)}"))
{
    // Without the Functions host (the worker-protocol tests): the entities and orchestrations run in this process on DTFx
    // against Azure Storage, as on the local host. Registered before the product's services, so the runtime is up before
    // their start-up work (the seed configures the agents' entities).
    builder.Services.AddLocalDurableRuntime(builder.Configuration);
    builder.Logging.AddFilter("DurableTask", LogLevel.Warning);
}
else
{
    // In Azure the host's Durable extension runs them (task hub in host.json); the features reach it through the
    // [DurableClient] of the invocation in progress.
    builder.Services.AddDurableClientEntities(builder.Configuration);
}

builder.AddSmartspace();
// The product's start-up work (the Durable runtime when it runs here, tables, seed, the inbox's recovery) runs before the
// worker's own hosted service opens the gRPC stream: the host can neither invoke a function nor ask the worker to stop while
// the seed is half written.
HostedServiceOrder.MoveBefore(builder.Services, workerServices);
builder.Services.AddSingleton<FunctionEndpoints>();

var app = builder.Build();
// Build the endpoint pipeline now: a configuration error stops the worker at start, with every problem listed.
_ = app.Services.GetRequiredService<FunctionEndpoints>();
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested)
{
    // Asked to stop (WorkerTerminate, SIGTERM) while starting: an orderly exit, not a crash.
}
