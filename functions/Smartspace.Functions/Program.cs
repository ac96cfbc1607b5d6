using Smartspace.Functions.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddSmartspace(args);
var app = builder.Build();
app.MapSmartspace();
await app.RunAsync();

/// <summary>The handler's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
