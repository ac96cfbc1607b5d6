using Smartspace.Functions.Hosting;

// Content root = the handler's own folder, so appsettings.json (log levels, JSON logs) applies wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddSmartspace(args);
var app = builder.Build();
app.MapSmartspace();
await app.RunAsync();

/// <summary>The handler's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
