using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Smartspace.FunctionApp;
using Smartspace.Functions.Hosting;

// The isolated worker, started by the Functions host (in Azure) or by the worker-protocol test host.
// App settings arrive as environment variables (Section__Key); the same options as the local host.
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.AddSmartspace();
builder.Services.AddSingleton<FunctionEndpoints>();

var app = builder.Build();
// Build the endpoint pipeline now: a configuration error stops the worker at start, with every problem listed.
_ = app.Services.GetRequiredService<FunctionEndpoints>();
await app.RunAsync();
