using Smartspace.Realtime;
using Smartspace.Realtime.Emulator;

// Stand-alone embedded Web PubSub hub (client protocols + REST API) for tests and local tools.
//   dotnet Smartspace.Realtime.Emulator.dll --urls http://127.0.0.1:5080
// Options: WebPubSub__AccessKey, WebPubSub__Hub, WebPubSub__EventHandlerUrl, WebPubSub__Endpoint
// (defaults to the first --urls entry), WebPubSub__EnableTestHooks (test-only abort hook).
//   dotnet Smartspace.Realtime.Emulator.dll --bench [--connections 1000] [--rate 20] [--seconds 15]
// runs the load benchmark against a child emulator process (see Bench.cs).
if (args.Contains("--bench"))
{
    return await Bench.RunAsync(args);
}

var builder = WebApplication.CreateSlimBuilder(args);
var section = builder.Configuration.GetSection("WebPubSub");
if (string.IsNullOrEmpty(section["AccessKey"]))
{
    // the official emulator's well-known local key
    section["AccessKey"] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH";
}

if (string.IsNullOrEmpty(section["Endpoint"]))
{
    var first = (builder.Configuration["urls"] ?? "http://127.0.0.1:8080").Split(';', StringSplitOptions.RemoveEmptyEntries)[0];
    section["Endpoint"] = first.Replace("://*", "://localhost").Replace("://+", "://localhost").Replace("://0.0.0.0", "://localhost");
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSmartspaceRealtime(section);
var app = builder.Build();
app.MapEmbeddedWebPubSubHub();
await app.RunAsync();
return 0;
