using Smartspace.LocalHost;

// Content root = the host's own folder, so appsettings.json (log levels, one-line console logs) and the seed apply wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddLocalHost(args);
var app = builder.Build();
app.MapLocalHost();
await app.RunAsync();

/// <summary>The local host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
