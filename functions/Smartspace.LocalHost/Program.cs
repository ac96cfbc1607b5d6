using Smartspace.LocalHost;

// Content root = the host's own folder, so appsettings.json (log levels, JSON logs) and the seed apply wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddLocalHost(args);
var app = builder.Build();
app.MapLocalHost();
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (app.Lifetime.ApplicationStopping.IsCancellationRequested)
{
    // Ctrl+C or SIGTERM while starting (tables, seed): an orderly exit, not a crash.
}

/// <summary>The local host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
